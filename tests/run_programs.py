"""Run Python programs as ``python program.py`` would, each in its own forked child process.

Usage: ``python run_programs.py LIBRARY OUT_DIR PROGRAM...``. The parent imports LIBRARY (``torch``
or ``engine``) once; each child then runs one program as ``__main__`` with its stdout and stderr in
``OUT_DIR/<name>.out`` and ``.err`` and its exit status in ``.status``. Forking after the import saves
importing PyTorch once per program (seconds each) and leaves every program a fresh interpreter state.
"""

import os
import runpy
import sys
import traceback


def run_child(path, out_dir):
    name = os.path.basename(path)
    for fd, suffix in ((1, ".out"), (2, ".err")):
        target = os.open(os.path.join(out_dir, name + suffix), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = [path]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    status = 0
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main():
    library, out_dir, *programs = sys.argv[1:]
    __import__(library)
    sys.stdout.flush()
    sys.stderr.flush()
    for path in programs:
        pid = os.fork()
        if pid == 0:
            run_child(path, out_dir)
        _, wait_status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(wait_status)
        with open(os.path.join(out_dir, os.path.basename(path) + ".status"), "w") as f:
            f.write(str(code))


if __name__ == "__main__":
    main()
