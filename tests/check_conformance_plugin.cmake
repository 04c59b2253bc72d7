# Checks the conformance plugin's protocol (tools/conformance/plugin.c, as the
# bpf_conformance suite drives it): program as hex on stdin, optional memory
# as hex in argv[1], r0 in hex on stdout; errors as one line on stderr, an
# empty stdout and a non-zero exit; unknown "--" options warned about.
#
#   cmake -DPLUGIN=<path to bpfvm-conformance-plugin> -DWORKDIR=<dir> -P <this file>

if(NOT PLUGIN OR NOT WORKDIR)
  message(FATAL_ERROR "usage: cmake -DPLUGIN=... -DWORKDIR=... -P check_conformance_plugin.cmake")
endif()

set(failures 0)

# Runs the plugin with `program` on stdin and the remaining arguments on its
# command line; sets out, err and rc in the caller.
function(run_plugin program)
  file(WRITE "${WORKDIR}/conformance_plugin_stdin.txt" "${program}\n")
  execute_process(COMMAND "${PLUGIN}" ${ARGN}
                  INPUT_FILE "${WORKDIR}/conformance_plugin_stdin.txt"
                  OUTPUT_VARIABLE plugin_out ERROR_VARIABLE plugin_err
                  RESULT_VARIABLE plugin_rc)
  set(out "${plugin_out}" PARENT_SCOPE)
  set(err "${plugin_err}" PARENT_SCOPE)
  set(rc "${plugin_rc}" PARENT_SCOPE)
endfunction()

function(fail name why)
  message("FAIL ${name}: ${why}")
  math(EXPR count "${failures} + 1")
  set(failures ${count} PARENT_SCOPE)
endfunction()

function(expect_output name want)
  if(NOT rc EQUAL 0)
    fail(${name} "exit status ${rc}, stderr: ${err}")
  elseif(NOT out STREQUAL "${want}\n")
    fail(${name} "stdout is '${out}', want '${want}\\n'")
  endif()
  set(failures ${failures} PARENT_SCOPE)
endfunction()

function(expect_error name)
  string(REGEX MATCHALL "\n" newlines "${err}")
  list(LENGTH newlines lines)
  if(rc EQUAL 0)
    fail(${name} "exit status 0, want non-zero")
  elseif(NOT out STREQUAL "")
    fail(${name} "stdout is '${out}', want nothing")
  elseif(NOT lines EQUAL 1 OR NOT err MATCHES "\n$")
    fail(${name} "stderr has ${lines} lines, want exactly one: '${err}'")
  endif()
  set(failures ${failures} PARENT_SCOPE)
endfunction()

set(MOV_R0_42 "b7 00 00 00 2a 00 00 00")
set(EXIT      "95 00 00 00 00 00 00 00")

run_plugin("${MOV_R0_42} ${EXIT}")
expect_output(program_on_stdin_prints_r0_in_hex "2a")

# ldxw r0, [r1+0]; exit
run_plugin("61 10 00 00 00 00 00 00 ${EXIT}" "11 22 33 44")
expect_output(memory_in_argv1_is_readable_at_r1 "44332211")

# r0 = r2 (the memory's length); exit
run_plugin("bf 20 00 00 00 00 00 00 ${EXIT}" "00 01 02 03 04")
expect_output(memory_length_is_in_r2 "5")

# r1 = 7; call 5; exit
run_plugin("b7 01 00 00 07 00 00 00 85 00 00 00 05 00 00 00 ${EXIT}")
expect_output(helper_5_returns_its_first_argument "7")

# r0 = 42; call runtime 0x2a (src 2): the plugin's runtime function gives 0
run_plugin("${MOV_R0_42} 85 20 00 00 2a 00 00 00 ${EXIT}")
expect_output(runtime_function_0x2a_returns_0 "0")

# call runtime 0x2b: no such function, refused at load
run_plugin("85 20 00 00 2b 00 00 00 ${EXIT}")
expect_error(unknown_runtime_function_is_one_line_on_stderr)

# r0 = -1 (mov64 sign-extends): all 64 bits are printed
run_plugin("b7 00 00 00 ff ff ff ff ${EXIT}")
expect_output(r0_is_printed_as_64_bits "ffffffffffffffff")

run_plugin("b7000000 2a000000 95000000 00000000")
expect_output(hex_without_spaces_between_bytes_is_accepted "2a")

run_plugin("${MOV_R0_42} ${EXIT}" --foo)
expect_output(unknown_option_still_runs_the_program "2a")
if(NOT err MATCHES "--foo")
  fail(unknown_option_is_warned_about_on_stderr "stderr is '${err}'")
endif()

run_plugin("61 10 00 00 00 00 00 00 ${EXIT}" "01 00 00 00" --foo)
expect_output(memory_and_unknown_option_together "1")

run_plugin("ff 00 00 00 00 00 00 00 ${EXIT}")
expect_error(invalid_opcode_is_one_line_on_stderr_and_exit_non_zero)

run_plugin("${MOV_R0_42}")
expect_error(program_without_exit_is_one_line_on_stderr)

run_plugin("${MOV_R0_42} 95 00 00")
expect_error(program_not_a_multiple_of_8_bytes_is_one_line_on_stderr)

run_plugin("${MOV_R0_42} ${EXIT} zz")
expect_error(non_hex_program_is_one_line_on_stderr)

run_plugin("${MOV_R0_42} ${EXIT}" "0")
expect_error(odd_number_of_memory_digits_is_one_line_on_stderr)

# r2 = 4242; callx r2; exit: fails at run time
run_plugin("b7 02 00 00 92 10 00 00 8d 02 00 00 00 00 00 00 ${EXIT}")
expect_error(run_time_error_is_one_line_on_stderr)

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} conformance plugin check(s) failed")
endif()
message("conformance plugin: all checks passed")
