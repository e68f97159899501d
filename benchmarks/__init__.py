"""JointCase benchmarks (``make bench``; never timed tests).

Each ``benchmarks/bench_*.py`` module defines ``run(report)``; the runner
(``python -m benchmarks``) sets Django up against a fresh scratch database, calls every
module and prints one markdown table. ``report`` takes::

    report(name: str, value: float, unit: str, target: str = "", baseline: float | None = None)

``target`` is a comparison such as ``"<= 2"`` or ``">= 0.8"`` applied to ``value`` (the
``ok`` column), ``baseline`` the figure ``value`` is compared with (the ``ratio`` column).
"""
