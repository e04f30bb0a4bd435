"""Optimizers and learning-rate schedulers (``torch.optim`` semantics).

Every optimizer updates its parameters' arrays in place, without
graph nodes, and keeps its state in each parameter's dtype.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "lr_scheduler"]
