"""The benchmark runner's library (Python 3 standard library only); scripts/bench/run.py is the
entry point and holds the table of measures.

core.py      Goal, Measure, Context (pin, server, bench_binary), Side, side_by_side, repeated_value,
             summary, run helpers, the load generators' JSON parser and per-CPU-second ratio
servers.py   the release emulator (`emulator()`), the Python SDK's venv (`python_sdk()`), the OCI CLI
report.py    running the selected measures into the results record, reproduce commands, the summary
signing.py   T1             identity.py  T3, T4a, T4b, T6, T7     stack.py     T5a, T5b
objects.py   T8, T10, T11   build.py     T9                       tokens.py    T12
baseline.py  T3ba, T5aba (the same side built at --baseline-rev)
"""
