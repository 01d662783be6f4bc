"""Optimizers and learning-rate schedulers, with PyTorch's names, defaults and update rules.

``SGD``, ``Adam``, ``AdamW`` and ``RMSprop`` update scalar ``Value`` parameters from their
``.grad``; ``lr_scheduler`` changes their learning rates between steps::

    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in data:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
"""

from nn.optim import lr_scheduler
from nn.optim.adam import Adam, AdamW
from nn.optim.optimizer import Optimizer
from nn.optim.rmsprop import RMSprop
from nn.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
