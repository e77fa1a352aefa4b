"""Minimal fused numpy training loops: the floor mlpabc is measured against.

Each function trains one workload with the same arithmetic as ``mlpabc``
(same layers, loss, optimizer, batch order and dtype) but with everything
written out by hand in one loop: no layer objects, no validation, no
callbacks. It is what a careful numpy programmer would write for exactly one
network, and the speed mlpabc should come close to.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sgd_mlp_sigmoid(x, y, weights, perms, batch_size, learning_rate):
    """1-k-1 network, sigmoid hidden layer, linear output, MSE, plain SGD (workloads W1, W4)."""
    W1, b1, W2, b2 = (w.copy() for w in weights)
    lr = learning_rate
    for perm in perms:
        xs, ys = x[perm], y[perm]
        for s in range(0, len(perm), batch_size):
            X, Y = xs[s:s + batch_size], ys[s:s + batch_size]
            H = _sigmoid(X @ W1 + b1)
            P = H @ W2 + b2
            E = (P - Y) * (2.0 / Y.size)
            dW2 = H.T @ E
            db2 = E.sum(axis=0)
            D = (E @ W2.T) * H * (1.0 - H)
            dW1 = X.T @ D
            db1 = D.sum(axis=0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
    return [W1, b1, W2, b2]


class _Adam:
    """Keras's Adam update, in place (beta constants rounded through float32 as Keras does)."""

    def __init__(self, params, lr=1e-3, beta_1=0.9, beta_2=0.999, eps=1e-7):
        self.p, self.lr, self.b1, self.b2, self.eps = params, lr, beta_1, beta_2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0
        self.f1, self.f2 = float(np.float32(beta_1)), float(np.float32(beta_2))

    def step(self, grads):
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.f2 ** self.t) / (1 - self.f1 ** self.t)
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m += (g - m) * (1 - self.b1)
            v += (g * g - v) * (1 - self.b2)
            p -= m * alpha / (np.sqrt(v) + self.eps)


def adam_relu_softmax(x, y_onehot, weights, perms, batch_size, learning_rate):
    """ReLU hidden layers, softmax output with categorical cross-entropy from logits, Adam (W2)."""
    params = [w.copy() for w in weights]
    opt = _Adam(params, lr=learning_rate)
    n_layers = len(params) // 2
    for perm in perms:
        xs, ys = x[perm], y_onehot[perm]
        for s in range(0, len(perm), batch_size):
            X, Y = xs[s:s + batch_size], ys[s:s + batch_size]
            acts = [X]
            A = X
            for i in range(n_layers - 1):
                A = np.maximum(A @ params[2 * i] + params[2 * i + 1], 0.0)
                acts.append(A)
            Z = A @ params[-2] + params[-1]
            Z = Z - Z.max(axis=1, keepdims=True)
            P = np.exp(Z)
            P /= P.sum(axis=1, keepdims=True)
            D = (P - Y) / len(X)
            grads = [None] * len(params)
            for i in range(n_layers - 1, -1, -1):
                grads[2 * i] = acts[i].T @ D
                grads[2 * i + 1] = D.sum(axis=0)
                if i:
                    D = (D @ params[2 * i].T) * (acts[i] > 0)
            opt.step(grads)
    return params


def sgd_relu_regression(x, y, weights, perms, batch_size, learning_rate):
    """ReLU hidden layers, linear output, MSE, plain SGD (the wide workload W3)."""
    params = [w.copy() for w in weights]
    n_layers = len(params) // 2
    for perm in perms:
        xs, ys = x[perm], y[perm]
        for s in range(0, len(perm), batch_size):
            X, Y = xs[s:s + batch_size], ys[s:s + batch_size]
            acts = [X]
            A = X
            for i in range(n_layers - 1):
                A = np.maximum(A @ params[2 * i] + params[2 * i + 1], 0.0)
                acts.append(A)
            P = A @ params[-2] + params[-1]
            D = (P - Y) * (2.0 / Y.size)
            for i in range(n_layers - 1, -1, -1):
                gW = acts[i].T @ D
                gb = D.sum(axis=0)
                if i:
                    D = (D @ params[2 * i].T) * (acts[i] > 0)
                params[2 * i] -= learning_rate * gW
                params[2 * i + 1] -= learning_rate * gb
    return params
