r"""Independent trainings on several cores, or on a Dask cluster, through joblib.

Cross-validation and the searches train many models that do not depend on
each other: one task per (candidate, fold). :func:`run_tasks` hands the tasks
to :class:`joblib.Parallel`, the engine behind scikit-learn's ``n_jobs``:

- ``n_jobs=None``: one process, unless a ``joblib.parallel_backend`` (or
  ``joblib.parallel_config``) context says otherwise (scikit-learn's
  convention); ``n_jobs=1``: one process; ``n_jobs=k``: ``k`` worker
  processes (joblib's default backend, ``loky``); ``n_jobs=-1``: one per core.
- Inside ``with joblib.parallel_backend("dask"):`` and a
  ``dask.distributed.Client``, the same tasks run on the cluster's workers.

The results come back in the order of the tasks, whatever order they finish
in, so a parallel run gives exactly the serial run's numbers: every task
carries all it needs (the model-building function, the parameters, the fold's
indices), nothing is drawn from a generator shared between tasks, and each
worker uses one BLAS thread (``threadpoolctl``) so that ``k`` workers do not
fight over the cores.

Introduced in the chapter *Hyperparameters and their tuning*.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import describe

__all__ = ["check_n_jobs", "run_tasks"]


def check_n_jobs(n_jobs, owner):
    """Return ``n_jobs`` (``None`` or a non-zero int) or raise a clear error.

    Examples
    --------
    >>> check_n_jobs(-1, "GridSearch")
    -1
    >>> check_n_jobs(0, "GridSearch")
    Traceback (most recent call last):
    ...
    ValueError: The 'n_jobs' argument of GridSearch must be None (one process), a positive \
number of processes or a negative number (-1: all cores). Got 0 instead.
    """
    if n_jobs is None:
        return None
    expected = (
        "None (one process), a positive number of processes or a negative number (-1: all cores)"
    )
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(
            f"The 'n_jobs' argument of {owner} must be {expected}. Got {describe(n_jobs)} instead."
        )
    if n_jobs == 0:
        raise ValueError(f"The 'n_jobs' argument of {owner} must be {expected}. Got 0 instead.")
    return int(n_jobs)


_CONTROLLER = []  # this process's threadpoolctl controller, made once (it costs ~10 ms)


def _with_one_blas_thread(function, args):
    """Run ``function(*args)`` in a worker, its BLAS and OpenMP pools held to one thread.

    The controller that knows the process's thread pools is made before the
    first task and again after it (which may have loaded another BLAS, such as
    SciPy's), then reused: limiting through it costs a fraction of a millisecond.
    """
    from threadpoolctl import ThreadpoolController

    first = not _CONTROLLER
    if first:
        _CONTROLLER.append(ThreadpoolController())
    with _CONTROLLER[0].limit(limits=1):
        result = function(*args)
    if first:
        _CONTROLLER[0] = ThreadpoolController()
    return result


def run_tasks(function, arguments, n_jobs):
    """``[function(*args) for args in arguments]``, on ``n_jobs`` workers; in order.

    When joblib resolves ``n_jobs`` to one worker (``None`` outside a
    ``parallel_backend`` context, or 1), or there is only one task, the tasks
    run here, one after the other, in the caller's process and with its thread
    settings.

    Examples
    --------
    >>> run_tasks(pow, [(2, 3), (3, 2)], n_jobs=None)
    [8, 9]
    """
    import joblib

    arguments = list(arguments)
    workers = joblib.effective_n_jobs(n_jobs)
    if len(arguments) <= 1 or workers == 1:
        return [function(*args) for args in arguments]
    tasks = (joblib.delayed(_with_one_blas_thread)(function, args) for args in arguments)
    # About four batches per worker: few transports (a Dask task costs milliseconds), and no
    # worker left idle at the end while another finishes one large batch (which joblib's
    # automatic batching of short tasks can do).
    batch_size = max(1, len(arguments) // (4 * workers))
    return joblib.Parallel(n_jobs=n_jobs, batch_size=batch_size)(tasks)
