# Runs -DPROGRAM and compares its standard output with the file -DEXPECTED,
# line by line; a non-zero exit or any difference fails.
execute_process(COMMAND ${PROGRAM} OUTPUT_VARIABLE actual ERROR_VARIABLE errors
                RESULT_VARIABLE status)
file(READ ${EXPECTED} expected)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${status}\n${errors}\noutput:\n${actual}")
endif()
if(NOT actual STREQUAL expected)
  file(WRITE ${PROGRAM}.output.txt "${actual}")
  execute_process(COMMAND diff -u ${EXPECTED} ${PROGRAM}.output.txt
                  OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "output differs from ${EXPECTED}:\n${diff}")
endif()
