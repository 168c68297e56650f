"""A process that imports pandas while a build reads its inputs, then works out the services that changed.

A rebuild after one CSV has changed reuses every other service's figures from its record (see
:mod:`generator.units`) and works out only the changed one's, but that one needs pandas, and
importing pandas was about a fifth of such a build (half a second) on top of reading the content
and the records. The build's own process never needs pandas then (:mod:`generator.figures`), so
a process forked as the build starts imports it on the other core; once the build knows which
services changed it sends them, reads the records meanwhile, and takes their figures back.

Only a fresh process gains (the dev server has pandas imported already), only on Linux (forking
once libraries are loaded is counted unsafe elsewhere) and with a second core. Whatever goes
wrong in the helper (it dies, a result will not pickle), the build works them out itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection, Pipe


def wanted(jobs: int | None) -> bool:
    """Whether a head start can help this process: pandas not yet imported, forking safe, a core to spare."""
    return ("pandas" not in sys.modules and sys.platform.startswith("linux") and jobs != 1
            and (jobs or os.cpu_count() or 1) > 1)


class HeadStart:
    """The forked helper: :meth:`work_out` once, or :meth:`close` (always, when the build ends)."""

    def __init__(self, pid: int, connection: Connection):
        self.pid, self._connection = pid, connection

    @classmethod
    def start(cls) -> HeadStart | None:
        try:
            ours, theirs = Pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the helper: it never returns into the build's code, nor flushes its streams
            try:
                ours.close()
                _serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        return cls(pid, ours)

    def send(self, config, services, root) -> bool:
        """Ask for build._work_out of these services; False if they cannot be sent (then close)."""
        try:
            self._connection.send_bytes(pickle.dumps((config, services, root), protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except (OSError, pickle.PickleError, TypeError, AttributeError):
            self.close()
            return False

    def result(self) -> tuple[dict, dict, list] | None:
        """What :meth:`send` asked for (figures packed as a worker's are), or None if the helper
        could not do it; either way the helper is stopped."""
        try:
            return pickle.loads(self._connection.recv_bytes())
        except (OSError, EOFError, pickle.PickleError, TypeError, AttributeError):
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
