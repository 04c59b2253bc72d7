# The judge's command, `bpfvm prog run OBJ name PROG data_in F repeat N`, runs
# under the JIT when nothing chooses an engine (BPFVM_ENGINE unset, no
# --engine), prints bpftool's line, and gives the interpreter's result:
# `prog show` of the same program says "jited NB" by default and "not jited"
# under `--engine interp`.
#   cmake -DCLI=<bpfvm> -DOBJ=<xdp_parse.bpf.o> -DDATA=<packet> -DWORKDIR=<dir> -P <this file>

if(NOT CLI OR NOT OBJ OR NOT DATA OR NOT WORKDIR)
  message(FATAL_ERROR "usage: cmake -DCLI=... -DOBJ=... -DDATA=... -DWORKDIR=... -P <this file>")
endif()
unset(ENV{BPFVM_ENGINE})
set(ENV{BPFVM_ROOT} ${WORKDIR}/ns_root)
set(failures 0)

function(expect name regex)
  execute_process(COMMAND ${CLI} ${ARGN} WORKING_DIRECTORY ${WORKDIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "${regex}")
    message("FAIL ${name}: exit ${rc}, stdout '${out}', stderr '${err}', want '${regex}'")
    math(EXPR count "${failures} + 1")
    set(failures ${count} PARENT_SCOPE)
  endif()
endfunction()

set(PROG name xdp_count_protocols)
expect(default_engine_is_the_jit "\txlated [0-9]+B  jited [0-9]+B  " prog show ${OBJ} ${PROG})
expect(interp_is_not_jited "\txlated [0-9]+B  not jited  "
       --engine interp prog show ${OBJ} ${PROG})
foreach(engine jit interp)
  expect(repeat_prints_the_average_under_${engine}
         "^Return value: 2, duration \\(average\\): [0-9]+ns\n$"
         --engine ${engine} prog run ${OBJ} ${PROG} data_in ${DATA} repeat 1000)
endforeach()
expect(default_run_prints_the_average "^Return value: 2, duration \\(average\\): [0-9]+ns\n$"
       prog run ${OBJ} ${PROG} data_in ${DATA} repeat 1000)

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} check(s) failed")
endif()
