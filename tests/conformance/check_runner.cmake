# Checks the conformance runner (tools/conformance/run_conformance.c) on test
# files of our own: pass/ must all pass under both engines (one skipped, for
# its `-- map`), and every file of must_fail/ must be reported as a failure
# with its reason, under both engines, with a non-zero exit.
#
#   cmake -DRUNNER=<bpfvm-conformance-run> -DPLUGIN=<bpfvm-conformance-plugin>
#         -DDIR=<tests/conformance> -P <this file>

if(NOT RUNNER OR NOT PLUGIN OR NOT DIR)
  message(FATAL_ERROR "usage: cmake -DRUNNER=... -DPLUGIN=... -DDIR=... -P check_runner.cmake")
endif()

set(failures 0)

function(fail why)
  message("FAIL ${why}")
  math(EXPR count "${failures} + 1")
  set(failures ${count} PARENT_SCOPE)
endfunction()

function(run_dir subdir)
  execute_process(COMMAND "${RUNNER}" --plugin "${PLUGIN}" "${DIR}/${subdir}"
                  OUTPUT_VARIABLE runner_out ERROR_VARIABLE runner_err
                  RESULT_VARIABLE runner_rc)
  message("--- ${subdir}:\n${runner_out}${runner_err}")
  set(out "${runner_out}" PARENT_SCOPE)
  set(rc "${runner_rc}" PARENT_SCOPE)
endfunction()

function(expect_line regex why)
  if(NOT out MATCHES "${regex}")
    fail("${why}: no line matching '${regex}'")
  endif()
  set(failures ${failures} PARENT_SCOPE)
endfunction()

run_dir(pass)
if(NOT rc EQUAL 0)
  fail("pass/: exit status ${rc}, want 0")
endif()
if(out MATCHES "FAIL")
  fail("pass/: a test failed")
endif()
foreach(engine jit interpret)
  expect_line("--${engine}: passed 13 of 13 \\(1 skipped\\)\n" "pass/ under --${engine}")
  expect_line("SKIP --${engine} skipped_map.data: unknown directive '-- map'\n"
              "pass/ skip reason")
endforeach()
expect_line("\npassed 26 of 26\n$" "pass/ total")

run_dir(must_fail)
if(NOT rc EQUAL 1)
  fail("must_fail/: exit status ${rc}, want 1")
endif()
foreach(engine jit interpret)
  set(e "FAIL --${engine}")
  expect_line("${e} wrong_result.data: r0 0x1, expected 0x2\n" "wrong result")
  expect_line("${e} unexpected_error.data: plugin failed \\(exit 1\\): conformance: insn 0: "
              "unexpected error")
  expect_line("${e} wrong_error_message.data: error '[^']+', expected 'some other message'\n"
              "wrong error message")
  expect_line("${e} result_where_error_expected.data: r0 0x0, expected the error '"
              "result where an error is expected")
  expect_line("${e} bad_asm.data: line 2: unknown mnemonic 'frobnicate'\n" "bad asm")
  expect_line("--${engine}: passed 0 of 5 \\(0 skipped\\)\n" "must_fail/ under --${engine}")
endforeach()
expect_line("\npassed 0 of 10\n$" "must_fail/ total")

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} check(s) failed")
endif()
