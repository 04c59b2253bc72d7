"""What the multi-process CLI checks share: a failure that shows what ran,
and one bpfvm process run with its exit code and output checked."""

import subprocess
import sys


def fail(message, output=""):
    sys.stderr.write(output)
    sys.exit("FAIL: " + message)


def run_bpfvm(bpfvm, args, env, code=0, stdout=None, stderr=None, prefix=()):
    """Runs `prefix bpfvm args` in env; checks its exit code and that its
    stdout / stderr hold the texts given. Returns stdout."""
    proc = subprocess.run(list(prefix) + [bpfvm] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=60, env=env)
    shown = "bpfvm %s\n--- stdout:\n%s--- stderr:\n%s" % (" ".join(map(str, args)),
                                                          proc.stdout, proc.stderr)
    if proc.returncode != code:
        fail("exit code %d, expected %d" % (proc.returncode, code), shown)
    if stdout is not None and stdout not in proc.stdout:
        fail("stdout lacks %r" % stdout, shown)
    if stderr is not None and stderr not in proc.stderr:
        fail("stderr lacks %r" % stderr, shown)
    return proc.stdout
