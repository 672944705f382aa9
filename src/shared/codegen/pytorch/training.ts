// The Python of training as Netforge's engine defines it: its optimizers (tfjs's update rules
// with Keras's defaults), its learning-rate schedules (src/main/engine/schedule.ts) and its loss
// (src/main/engine/losses.ts). The same for every network; model.py ends with it.
//
// tfjs's rules, which Netforge trains with, where they differ from Keras's:
// - SGD with momentum: v = m * v + g; w -= lr * v. PyTorch's SGD is this very rule; Keras's
//   (v = m * v - lr * g; w += v) differs from it only when the learning rate changes.
// - Adam: w -= lr * m_hat / (sqrt(v_hat) + eps), eps = 1e-7: PyTorch's Adam with eps=1e-7.
// - RMSprop: rho 0.9, no momentum, not centred, w -= lr * g / sqrt(ms + eps): eps inside the
//   root, unlike PyTorch's and Keras's, hence a class of our own.
// - Adagrad: accumulator starting at 0.1, w -= lr * g / sqrt(acc + eps): likewise.

export const TRAINING_SOURCE = `
# ---- Training as Netforge trains (its TensorFlow.js engine's definitions) ----

EPSILON = 1e-7  # tfjs's backend epsilon for float32 (Keras's default epsilon too)


class PerWeight(torch.optim.Optimizer):
    """An optimizer whose step updates each weight on its own: update(p, state, group)."""

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.update(p, self.state[p], group)
        return loss


class RMSprop(PerWeight):
    """tfjs's RMSprop: ms = rho * ms + (1 - rho) * g^2; w -= lr * g / sqrt(ms + eps)."""

    def __init__(self, params, lr, rho=0.9, eps=EPSILON):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    def update(self, p, state, group):
        if not state:
            state["square_avg"] = torch.zeros_like(p)
        ms = state["square_avg"]
        ms.mul_(group["rho"]).addcmul_(p.grad, p.grad, value=1 - group["rho"])
        p.addcdiv_(p.grad, (ms + group["eps"]).sqrt_(), value=-group["lr"])


class Adagrad(PerWeight):
    """tfjs's Adagrad: acc (from 0.1) += g^2; w -= lr * g / sqrt(acc + eps)."""

    def __init__(self, params, lr, initial_accumulator_value=0.1, eps=EPSILON):
        super().__init__(params, dict(lr=lr, initial=initial_accumulator_value, eps=eps))

    def update(self, p, state, group):
        if not state:
            state["sum"] = torch.full_like(p, group["initial"])
        acc = state["sum"]
        acc.addcmul_(p.grad, p.grad)
        p.addcdiv_(p.grad, (acc + group["eps"]).sqrt_(), value=-group["lr"])


def make_optimizer(params, name, lr, momentum=0.0):
    """Netforge's optimizers: "sgd" (with momentum when > 0), "adam", "rmsprop", "adagrad"."""
    if name == "sgd":
        # tfjs's momentum rule is PyTorch's: v = m * v + g; w -= lr * v.
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=EPSILON)
    if name == "rmsprop":
        return RMSprop(params, lr=lr)
    if name == "adagrad":
        return Adagrad(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}: use sgd, adam, rmsprop or adagrad")


def learning_rate_at(base, schedule, epoch, epochs):
    """The learning rate of a (0-based) epoch under Netforge's schedules."""
    kind = schedule["kind"]
    if kind == "constant":
        return base
    if kind == "step":
        return base * schedule["factor"] ** (epoch // schedule["everyEpochs"])
    if kind == "exponential":
        return base * schedule["rate"] ** epoch
    if kind == "cosine":
        t = epoch / (epochs - 1) if epochs > 1 else 0.0
        min_lr = schedule.get("minLr", 0.0)
        return min_lr + (base - min_lr) * 0.5 * (1 + math.cos(math.pi * t))
    raise ValueError(f"unknown schedule {kind!r}")


def loss_fn(output, labels, probabilities=OUTPUTS_PROBABILITIES):
    """Softmax cross-entropy, mean over the batch; \`labels\` are class indices.

    Logits (a network ending in a linear layer) go through softmax here; probabilities (one
    ending in softmax) are clipped to [eps, 1 - eps] and renormalised first, as tfjs does.
    """
    if not probabilities:
        return F.cross_entropy(output, labels)
    p = output.clamp(EPSILON, 1 - EPSILON)
    p = (p / p.sum(dim=-1, keepdim=True)).clamp(EPSILON, 1 - EPSILON)
    return F.nll_loss(torch.log(p), labels)
`.trimStart();
