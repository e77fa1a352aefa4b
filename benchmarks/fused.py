r"""Minimal fused numpy training loops: the floor mlpabc is measured against.

Each function trains one benchmark network with **the same arithmetic as**
``mlpabc.Sequential.fit`` -- the same layers, loss, optimizer, batch order
and dtype, and the same floating-point operations in the same order -- but
written out by hand in one loop: no layer objects, no validation, no
callbacks, no divergence guard. It is what a careful numpy programmer would
write for exactly one network, and the speed mlpabc should come close to.

What "the same arithmetic" includes:

* **The loss history.** ``fit`` returns the loss of every epoch: the mean
  over its steps of each step's loss, computed *before* that step's update
  and weighted by the batch sizes (Keras's bookkeeping). Computing it costs a
  few array operations per step, so the fused loops compute it too and
  return it with the weights.
* **The formulas.** The sigmoid is mlpabc's stable form
  :math:`e = e^{-|z|}`, :math:`\sigma = 1/(1 + e)` for :math:`z \ge 0` and
  :math:`e/(1 + e)` below (not the cheaper :math:`\tfrac12(1 + \tanh(z/2))`,
  which loses relative accuracy for negative :math:`z`); means are sums
  divided by the count; the cross-entropy of the softmax output is computed
  from the logits with the log-sum-exp, as Keras does; Adam is Keras's
  (bias corrections folded into the rate, its :math:`\beta^t` from the
  float32-rounded betas).

Because the operations are the same, the benchmark can check that mlpabc and
these loops end with the same weights and the same loss history (they agree
to the last bit on this machine) before it times them: the comparison is like
for like.

Every function takes the data ``x, y``, the initial ``weights`` (kernel, bias,
kernel, bias, ...; not modified), ``perms`` (an iterable of one sample order
per epoch; a generator is drawn from lazily, as ``fit`` draws its shuffles),
the batch size and the learning rate, and returns ``(weights, history)``.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    # mlpabc's stable sigmoid, in six array operations: e = exp(-|z|), 1/(1+e), e/(1+e) for z < 0
    e = np.exp(np.copysign(z, -1.0))
    s = e + 1.0
    np.reciprocal(s, out=s)
    np.multiply(s, e, out=s, where=np.signbit(z))
    return s


def _mse_and_gradient(P, Y):
    """Mean squared error of one output column and its gradient 2 (P - Y) / N."""
    E = P - Y
    loss = float(np.add.reduce(E * E, axis=None) / E.size)
    E *= 2.0 / E.size
    return loss, E


def sgd_sigmoid(x, y, weights, perms, batch_size, learning_rate, sigmoid_output=False):
    """1-k-1 (or n-k-m) network, sigmoid hidden layer, MSE, plain SGD (workloads W1 and W4).

    ``sigmoid_output`` puts a sigmoid on the output layer too (the worked example, W4).
    """
    W1, b1, W2, b2 = (w.copy() for w in weights)
    lr = learning_rate
    history = []
    for perm in perms:
        xs, ys = (x, y) if perm is None else (x[perm], y[perm])
        total = count = 0.0
        for s in range(0, len(xs), batch_size):
            X, Y = xs[s : s + batch_size], ys[s : s + batch_size]
            Z1 = X @ W1
            Z1 += b1
            H = _sigmoid(Z1)
            P = H @ W2
            P += b2
            if sigmoid_output:
                P = _sigmoid(P)
            loss, D2 = _mse_and_gradient(P, Y)
            if sigmoid_output:
                D2 *= P
                D2 *= 1.0 - P
            total += loss * len(X)
            count += len(X)
            dW2 = H.T @ D2
            db2 = np.add.reduce(D2, axis=0)
            D1 = D2 @ W2.T
            D1 *= H
            D1 *= 1.0 - H
            dW1 = X.T @ D1
            db1 = np.add.reduce(D1, axis=0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
        history.append(total / count)
    return [W1, b1, W2, b2], history


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
        alpha = self.lr * float(np.sqrt(1 - self.f2**self.t)) / (1 - self.f1**self.t)
        for p, g, m, v in zip(self.p, grads, self.m, self.v):
            m += (g - m) * (1 - self.b1)
            v += (g * g - v) * (1 - self.b2)
            p -= m * alpha / (np.sqrt(v) + self.eps)


def adam_relu_softmax(x, y_onehot, weights, perms, batch_size, learning_rate):
    """ReLU hidden layers, softmax output, categorical cross-entropy from the logits, Adam (W2)."""
    params = [w.copy() for w in weights]
    opt = _Adam(params, lr=learning_rate)
    n_layers = len(params) // 2
    history = []
    for perm in perms:
        xs, ys = x[perm], y_onehot[perm]
        total = count = 0.0
        for s in range(0, len(xs), batch_size):
            X, Y = xs[s : s + batch_size], ys[s : s + batch_size]
            n = len(X)
            zs, acts = [], [X]
            A = X
            for i in range(n_layers - 1):
                Z = A @ params[2 * i]
                Z += params[2 * i + 1]
                A = np.maximum(Z, 0.0)
                zs.append(Z)
                acts.append(A)
            Z = A @ params[-2]
            Z += params[-1]
            # softmax and its cross-entropy from the logits (log-sum-exp)
            shifted = Z - np.maximum.reduce(Z, axis=1, keepdims=True)
            E = np.exp(shifted)
            S = np.add.reduce(E, axis=1, keepdims=True)
            loss = -float(np.add.reduce(np.add.reduce(Y * (shifted - np.log(S)), axis=1)) / n)
            total += loss * n
            count += n
            D = E / S
            D *= np.add.reduce(Y, axis=1, keepdims=True)  # 1 for one-hot rows, as in mlpabc
            D -= Y
            D /= n
            grads = [None] * len(params)
            for i in range(n_layers - 1, -1, -1):
                grads[2 * i] = acts[i].T @ D
                grads[2 * i + 1] = np.add.reduce(D, axis=0)
                if i:
                    D = np.where(zs[i - 1] > 0, D @ params[2 * i].T, 0.0)
            opt.step(grads)
        history.append(total / count)
    return params, history


def sgd_relu_regression(x, y, weights, perms, batch_size, learning_rate):
    """ReLU hidden layers, linear output, MSE, plain SGD (the wide workload W3)."""
    params = [w.copy() for w in weights]
    n_layers = len(params) // 2
    history = []
    for perm in perms:
        xs, ys = x[perm], y[perm]
        total = count = 0.0
        for s in range(0, len(xs), batch_size):
            X, Y = xs[s : s + batch_size], ys[s : s + batch_size]
            zs, acts = [], [X]
            A = X
            for i in range(n_layers - 1):
                Z = A @ params[2 * i]
                Z += params[2 * i + 1]
                A = np.maximum(Z, 0.0)
                zs.append(Z)
                acts.append(A)
            P = A @ params[-2]
            P += params[-1]
            loss, D = _mse_and_gradient(P, Y)
            total += loss * len(X)
            count += len(X)
            grads = [None] * len(params)
            for i in range(n_layers - 1, -1, -1):
                grads[2 * i] = acts[i].T @ D
                grads[2 * i + 1] = np.add.reduce(D, axis=0)
                if i:
                    D = np.where(zs[i - 1] > 0, D @ params[2 * i].T, 0.0)
            for p, g in zip(params, grads):
                p -= learning_rate * g
        history.append(total / count)
    return params, history
