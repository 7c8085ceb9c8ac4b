"""A small multilayer perceptron trained with Adam in numpy: reproducible to the bit for one seed,
and nothing to install. Its weights are what ``OvaLetterMlp`` (the adapter) reads."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from attrs import frozen

from ova.adapters.ai.local.asl_letters import Weights, logits


@frozen
class Shape:
    hidden: tuple[int, ...] = (128,)
    weight_decay: float = 1e-4
    epochs: int = 40
    batch: int = 128
    learning_rate: float = 2e-3


def fit(x: np.ndarray, y: np.ndarray, labels: Sequence[str], shape: Shape, seed: int) -> Weights:
    """Weights that classify the rows of ``x`` (features) as ``labels[y]``."""
    rng = np.random.default_rng(seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = ((x - mean) / scale).astype(np.float64)
    sizes = (x.shape[1], *shape.hidden, len(labels))
    layers = [
        [rng.normal(0, np.sqrt(2 / a), (a, b)), np.zeros(b)] for a, b in itertools.pairwise(sizes)
    ]
    moments = [[np.zeros_like(p) for p in layer] for layer in layers]
    squares = [[np.zeros_like(p) for p in layer] for layer in layers]
    step = 0
    for _ in range(shape.epochs):
        order = rng.permutation(len(z))
        for start in range(0, len(z), shape.batch):
            rows = order[start:start + shape.batch]
            grads = _gradients(layers, z[rows], y[rows])
            step += 1
            for layer, grad, m, v in zip(layers, grads, moments, squares, strict=True):
                for i in range(2):
                    g = grad[i] + (shape.weight_decay * layer[i] if i == 0 else 0.0)
                    m[i] = 0.9 * m[i] + 0.1 * g
                    v[i] = 0.999 * v[i] + 0.001 * g * g
                    m_hat = m[i] / (1 - 0.9**step)
                    v_hat = v[i] / (1 - 0.999**step)
                    layer[i] = layer[i] - shape.learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
    return Weights(
        labels=tuple(labels),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        layers=tuple((w.astype(np.float32), b.astype(np.float32)) for w, b in layers),
        temperature=1.0,
    )


def _gradients(layers: list[list[np.ndarray]], x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    activations = [x]
    for i, (w, b) in enumerate(layers):
        h = activations[-1] @ w + b
        activations.append(np.maximum(h, 0) if i < len(layers) - 1 else h)
    out = activations[-1]
    p = np.exp(out - out.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    delta = p / len(y)
    grads = []
    for i in range(len(layers) - 1, -1, -1):
        grads.append((activations[i].T @ delta, delta.sum(axis=0)))
        if i:
            delta = (delta @ layers[i][0].T) * (activations[i] > 0)
    return grads[::-1]


def fit_temperature(raw_logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that makes softmax(logits / T) most likely for the true letters (a grid, then
    a finer grid around the best): confidences that mean what they say."""
    def loss(t: float) -> float:
        z = raw_logits / t
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())

    grid = np.exp(np.linspace(np.log(0.2), np.log(10), 81))
    best = min(grid, key=loss)
    fine = np.linspace(best / 1.06, best * 1.06, 41)
    return float(min(fine, key=loss))


def predict_logits(weights: Weights, x: np.ndarray) -> np.ndarray:
    return np.asarray(logits(weights, x))
