"""minigrad's benchmark suite: training steps against hand-written NumPy, PyTorch, autograd and MyGrad.

Run ``python -m benchmarks.run --help``; ``benchmarks/README.md`` explains each measurement.
"""
