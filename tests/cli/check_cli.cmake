# Runs the bpfvm CLI once and checks its exit code, stdout and stderr.
#   -DCLI=path -DARGS="a|b|c" -DEXPECT_EXIT=N
#   [-DEXPECT_STDOUT=regex] [-DEXPECT_STDERR=regex] [-DWORKDIR=dir]
# Arguments are separated by '|' (CMake lists do not survive -D).
string(REPLACE "|" ";" arguments "${ARGS}")
if(NOT WORKDIR)
  set(WORKDIR ${CMAKE_CURRENT_BINARY_DIR})
endif()
# Every bpfvm process works in a namespace: the build tree's, not /run/bpfvm.
if(NOT DEFINED ENV{BPFVM_ROOT})
  set(ENV{BPFVM_ROOT} ${WORKDIR}/ns_root)
endif()
execute_process(COMMAND ${CLI} ${arguments}
                WORKING_DIRECTORY ${WORKDIR}
                RESULT_VARIABLE exit_code
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
set(failed FALSE)
if(NOT exit_code STREQUAL EXPECT_EXIT)
  message(SEND_ERROR "exit code ${exit_code}, expected ${EXPECT_EXIT}")
  set(failed TRUE)
endif()
if(DEFINED EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(SEND_ERROR "stdout does not match: ${EXPECT_STDOUT}")
  set(failed TRUE)
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(SEND_ERROR "stderr does not match: ${EXPECT_STDERR}")
  set(failed TRUE)
endif()
if(failed)
  string(REPLACE ";" " " shown "${arguments}")
  message(FATAL_ERROR "bpfvm ${shown}\n--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
