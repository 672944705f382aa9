// Python helpers a generated module may need; only those its layers use are written.

export type HelperName = 'glorot' | 'batchNorm' | 'separable' | 'avgPoolSame';

const HELPERS: Record<HelperName, string> = {
  glorot: `
def glorot_uniform_(weight, fan_in, fan_out):
    """Keras's glorot_uniform, with the fans Keras computes from the kernel's TF shape."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    nn.init.uniform_(weight, -limit, limit)
`,
  batchNorm: `
class BatchNorm(nn.modules.batchnorm._BatchNorm):
    """Keras's BatchNormalization over dim 1, trained as TensorFlow.js trains it.

    \`momentum\` is PyTorch's (1 - Keras's). While training, the moving variance follows the
    biased batch variance, as tfjs-layers does (PyTorch's own BatchNorm uses the unbiased one).
    Keras's center / scale may be off one at a time.
    """

    def __init__(self, num_features, eps, momentum, center=True, scale=True):
        super().__init__(num_features, eps=eps, momentum=momentum, affine=False)
        if scale:
            self.weight = nn.Parameter(torch.ones(num_features))
        if center:
            self.bias = nn.Parameter(torch.zeros(num_features))

    def _check_input_dim(self, x):
        if x.dim() < 2:
            raise ValueError(f"BatchNorm needs a batch of at least 1-D samples, got {x.dim()}-D")

    def forward(self, x):
        if not self.training:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                False, 0.0, self.eps)
        with torch.no_grad():
            dims = [0] + list(range(2, x.dim()))
            var, mean = torch.var_mean(x, dim=dims, unbiased=False)
            self.running_mean.lerp_(mean.to(self.running_mean.dtype), self.momentum)
            self.running_var.lerp_(var.to(self.running_var.dtype), self.momentum)
            self.num_batches_tracked.add_(1)
        return F.batch_norm(x, None, None, self.weight, self.bias, True, 0.0, self.eps)
`,
  separable: `
class SeparableConv2d(nn.Module):
    """Keras's SeparableConv2D: a depthwise convolution (depth_multiplier filters per input
    channel, no bias), then a 1x1 convolution that mixes the channels."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 depth_multiplier=1, bias=True):
        super().__init__()
        mid = in_channels * depth_multiplier
        self.depthwise = nn.Conv2d(in_channels, mid, kernel_size, stride, padding, dilation,
                                   groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(mid, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
`,
  avgPoolSame: `
def avg_pool_same(x, kernel_size, stride, pads):
    """TF's 'same' average pooling where the padding is uneven: F.pad's (left, right, top,
    bottom), and each window averages only the pixels of the image, not the padding."""
    total = F.avg_pool2d(F.pad(x, pads), kernel_size, stride, divisor_override=1)
    ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
    count = F.avg_pool2d(F.pad(ones, pads), kernel_size, stride, divisor_override=1)
    return total / count
`,
};

/** The Python of the helpers in `used`, in a fixed order. */
export function helperSource(used: ReadonlySet<HelperName>): string[] {
  return (Object.keys(HELPERS) as HelperName[])
    .filter((h) => used.has(h))
    .map((h) => HELPERS[h].trimEnd());
}
