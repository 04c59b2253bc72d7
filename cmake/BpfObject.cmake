# Compiling BPF C programs at build time, as users build them:
#   clang -O2 -g -target bpf -c prog.bpf.c -o prog.bpf.o
# with libbpf's bpf/bpf_helpers.h from the system (libbpf-dev).
#
# bpfvm_add_bpf_objects(TARGET <name> SOURCES a.bpf.c b.bpf.c ...)
# builds each source into ${CMAKE_CURRENT_BINARY_DIR}/<stem>.bpf.o and adds a
# custom target <name> that depends on them all. Tests take the objects'
# directory as an argument.

find_program(BPFVM_BPF_CLANG NAMES clang clang-14 REQUIRED)
if(NOT EXISTS /usr/include/bpf/bpf_helpers.h)
  message(FATAL_ERROR "bpf/bpf_helpers.h not found: install libbpf-dev (scripts/install-deps.sh)")
endif()

# The multiarch include directory holds asm/types.h, which linux/types.h needs.
execute_process(COMMAND gcc -print-multiarch OUTPUT_VARIABLE BPFVM_MULTIARCH
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)

function(bpfvm_add_bpf_objects)
  cmake_parse_arguments(ARG "" "TARGET" "SOURCES;INCLUDES" ${ARGN})
  set(outputs)
  foreach(source ${ARG_SOURCES})
    get_filename_component(stem ${source} NAME_WE)
    get_filename_component(abs ${source} ABSOLUTE)
    set(output ${CMAKE_CURRENT_BINARY_DIR}/${stem}.bpf.o)
    set(include_flags)
    foreach(dir ${ARG_INCLUDES})
      list(APPEND include_flags -I${dir})
    endforeach()
    add_custom_command(
      OUTPUT ${output}
      COMMAND ${BPFVM_BPF_CLANG} -O2 -g -target bpf -Wall -Werror
              -D__TARGET_ARCH_x86
              -I/usr/include/${BPFVM_MULTIARCH} ${include_flags}
              -c ${abs} -o ${output}
      DEPENDS ${abs}
      IMPLICIT_DEPENDS C ${abs}
      COMMENT "clang -target bpf ${stem}.bpf.c"
      VERBATIM)
    list(APPEND outputs ${output})
  endforeach()
  add_custom_target(${ARG_TARGET} ALL DEPENDS ${outputs})
endfunction()
