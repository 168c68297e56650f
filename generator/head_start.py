"""A process that imports pandas while a build reads its inputs, then works out the services that changed.

A rebuild after one CSV has changed reuses every other service's figures from its record (see
:mod:`generator.units`) and works out only the changed one's, but that one needs pandas, and
importing pandas was about a fifth of such a build (half a second) on top of reading the content
and the records. The build's own process never needs pandas then (:mod:`generator.figures`), so
a process forked as the build starts (where there is a last build, before the inputs are compared
with it) imports it on the other core; once the build knows which services have no record it
sends them, reads the records meanwhile, and takes their figures back.

Only a process that has not imported pandas gains (``perfpages build``, and the dev server's
first build; its later ones have pandas already), only on Linux (forking once libraries are
loaded is counted unsafe elsewhere) and with a second core. Whatever goes wrong in the helper (it
dies, a job will not pickle, it takes far too long), the build works the services out itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection, Pipe

from generator.render_jobs import end_with_parent

# Seconds to wait for the helper's answer before working the services out here instead: far more
# than it takes (tenths of a second for a few services); a helper that hangs must not hang the build.
PATIENCE = 300


def worth_forking(jobs: int | None) -> bool:
    """Whether a head start can help this process: pandas not yet imported, forking safe, a core to spare."""
    return ("pandas" not in sys.modules and sys.platform.startswith("linux") and jobs != 1
            and (jobs or os.cpu_count() or 1) > 1)


class HeadStart:
    """The forked helper: :meth:`send` once and then :meth:`result`, and :meth:`close` in any case."""

    def __init__(self, pid: int, connection: Connection):
        self.pid, self._connection = pid, connection

    @classmethod
    def start(cls) -> HeadStart | None:
        ours, theirs = Pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            ours.close()
            theirs.close()
            return None
        if pid == 0:  # the helper: it never returns into the build's code, nor flushes the build's streams
            code = 1
            try:
                ours.close()
                end_with_parent(parent)
                _serve(theirs)
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        return cls(pid, ours)

    def send(self, config, services, root) -> bool:
        """Ask for build._work_out of these services; False (and the helper stopped) if they cannot be
        sent. The helper reads them once it has imported pandas: until then a job larger than the
        pipe holds (a few hundred services' worth; the build sends fewer than 64) would wait here."""
        try:
            self._connection.send_bytes(pickle.dumps((config, services, root), protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except Exception:  # (whatever pickling a value raises)
            self.close()
            return False

    def result(self) -> tuple[dict, dict, list] | None:
        """What :meth:`send` asked for (figures packed as a worker's are), or None if the helper
        could not do it; either way the helper is stopped."""
        try:
            if not self._connection.poll(PATIENCE):
                return None
            return pickle.loads(self._connection.recv_bytes())
        except Exception:  # (it died: EOFError; or what it sent will not unpickle here)
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop the helper (if it still runs) and reap it."""
        if self.pid is None:
            return
        self._connection.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = None


def _serve(connection: Connection) -> None:
    # Nothing it says is wanted (the build reports its problems), and the build's streams may be
    # a progress display whose lock another thread held at the fork.
    sys.stdout = sys.stderr = open(os.devnull, "w")
    from generator import build, paths

    build.warm_up_work_out()
    try:
        job = connection.recv_bytes()
    except (EOFError, OSError):
        return  # not needed after all
    try:
        config, services, root = pickle.loads(job)
        paths.forget()  # links may have changed since this process was forked
        from generator.raw_files import RawFiles

        answer = pickle.dumps(build._packed(build._work_out(config, services, RawFiles(), root)),
                              protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the build's process does it instead, and meets the error there, told as usual
        answer = pickle.dumps(None)
    connection.send_bytes(answer)
