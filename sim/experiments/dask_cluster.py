"""Running replications on a dask.distributed cluster reached at a scheduler address.

The scheduler and the workers need this package importable (``pip install -e .`` on each
machine) and must run the same model code: the executor checks each worker's fingerprint of
the model's source when it connects, and refuses at once an address where something that is
not a Dask scheduler listens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sim.experiments.executor_base import WORKER_DIED, Closing, ExecutorError, Interrupted

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DaskExecutor"]


def _worker_fingerprint() -> str:
    """Run on each Dask worker: the fingerprint of the model code it would run."""
    from sim.experiments.store import model_code_fingerprint

    return model_code_fingerprint()


class DaskExecutor(Closing):
    """Run tasks on the dask.distributed cluster whose scheduler is at ``address``."""

    def __init__(self, address: str, connect_timeout_s: float = 20.0) -> None:
        self.address = address
        self.description = f"Dask scheduler {address}"
        self.connect_timeout_s = connect_timeout_s
        self._client: Client | None = None

    @property
    def parallelism(self) -> int:
        """The cluster's worker threads (connecting if need be)."""
        info = self._connect().scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def _connect(self) -> Client:
        if self._client is not None:
            return self._client
        from distributed import Client

        _looks_like_a_dask_scheduler(self.address, self.connect_timeout_s)
        try:
            client = Client(self.address, timeout=self.connect_timeout_s)
        except Exception as error:  # noqa: BLE001 - whatever went wrong, say where and why
            raise ExecutorError(
                f"cannot reach a Dask scheduler at {self.address} ({error}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`"
            ) from None
        self._client = client
        self._check_workers(client)
        return client

    def _check_workers(self, client: Client) -> None:
        from sim.experiments.store import model_code_fingerprint

        try:  # recent Dask scheduler processes unpickle the tasks, so they need it too
            client.run_on_scheduler(_worker_fingerprint)
        except Exception as error:
            self.close()
            raise ExecutorError(
                f"the Dask scheduler at {self.address} cannot load this model "
                f"({type(error).__name__}: {error}); install this package where the scheduler "
                "runs as well as on every worker (pip install -e .)"
            ) from None
        try:
            found = client.run(_worker_fingerprint)
        except Exception as error:  # workers could not import or run sim
            self.close()
            raise ExecutorError(
                f"the Dask workers cannot run this model ({type(error).__name__}: {error}); "
                "install this package on every worker (pip install -e .)"
            ) from None
        if not found:
            self.close()
            raise ExecutorError(f"the Dask scheduler at {self.address} has no workers")
        ours = model_code_fingerprint()
        different = sorted(worker for worker, theirs in found.items() if theirs != ours)
        if different:
            self.close()
            raise ExecutorError(
                f"Dask workers {', '.join(different)} run different model code from this "
                "machine; results would not be reproducible. Install the same version there."
            )

    def map_unordered(
        self, function: Callable[..., Any], arguments: Sequence[tuple]
    ) -> Iterator[tuple[int, Any]]:
        if not arguments:
            return
        from distributed import KilledWorker, as_completed

        client = self._connect()
        futures = [client.submit(function, *args, pure=False) for args in arguments]
        index_of = {future.key: index for index, future in enumerate(futures)}
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except KilledWorker:
                    raise ExecutorError(WORKER_DIED) from None
                yield index_of[future.key], result
        except KeyboardInterrupt:
            self.terminate()
            raise Interrupted([]) from None
        finally:
            if self._client is not None:
                client.cancel([future for future in futures if not future.done()])

    def __exit__(self, *exc_info: object) -> None:
        if exc_info and exc_info[0] is not None:
            self.terminate()
        else:
            self.close()

    def terminate(self) -> None:
        """Cancel this client's tasks and disconnect without waiting long (Ctrl-C)."""
        if self._client is not None:
            client, self._client = self._client, None
            try:
                client.close(timeout=3)
            except Exception:  # noqa: BLE001 - leaving anyway; the scheduler drops our tasks
                pass

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


# Dask's TCP messages start with the number of frames as 8 little-endian bytes, and a
# scheduler sends its handshake as soon as a client connects; a count beyond this is not Dask.
_MOST_FRAMES = 1 << 16


def _looks_like_a_dask_scheduler(address: str, timeout_s: float) -> None:
    """Refuse at once an address where something that is not a Dask scheduler listens.

    Dask's own connect timeout covers only the TCP connection: a service that accepts it and
    says nothing (an HTTP server) hung the run, and one that answers with other bytes made Dask
    try to allocate exabytes. A scheduler greets a new connection at once with a handshake, so
    read its first 8 bytes (a frame count) with a deadline. Only plain ``tcp://`` addresses
    (or bare host:port) are checked; others are left to Dask.
    """
    import socket
    import struct

    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port_text = rest.rpartition(":")
    try:
        port = int(port_text)
    except ValueError:
        return  # Dask reports a malformed address itself
    host = host.strip("[]") or "127.0.0.1"
    not_dask = (
        f"{address} does not answer like a Dask scheduler ({{why}}); give --scheduler the "
        "address `dask scheduler` prints, e.g. tcp://10.0.0.5:8786"
    )
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as connection:
            connection.settimeout(min(timeout_s, 5.0))
            greeting = b""
            while len(greeting) < 8:
                chunk = connection.recv(8 - len(greeting))
                if not chunk:
                    raise ExecutorError(not_dask.format(why="it closed the connection"))
                greeting += chunk
    except TimeoutError:
        raise ExecutorError(
            not_dask.format(why="no reply; is it reachable, and is it a Dask scheduler?")
        ) from None
    except OSError as error:
        raise ExecutorError(
            f"cannot reach a Dask scheduler at {address} ({error.strerror or error}); start "
            "one with `dask scheduler` and workers with `dask worker ADDRESS`"
        ) from None
    (frames,) = struct.unpack("<Q", greeting)
    if not 0 < frames <= _MOST_FRAMES:
        raise ExecutorError(not_dask.format(why=f"it sent {greeting!r}"))
