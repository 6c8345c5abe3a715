"""Operator attributes: the key of the device knowledge base (Sec. VIII-C).

An :class:`OpSpec` describes one single-operator model as the knowledge base stores it: operator
type, input data type and the operator-related parameters (``filter_h``/``filter_w``, strides,
padding, channels, input size, groups, fused activation). Architectures are turned into lists of
``OpSpec`` by :func:`satgym.adaptive.search_space.operator_list`.

Example:
    >>> op = OpSpec("conv2d", kernel_h=3, kernel_w=3, stride_h=2, stride_w=2, padding=1,
    ...             in_channels=3, out_channels=16, input_h=224, input_w=224, activation="hswish")
    >>> op_class(op), op.output_hw(), op_params(op), op_macs(op)
    ('conv', (112, 112), 448, 5419008)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

OP_TYPES = ("conv2d", "linear", "add", "mul", "global_avgpool", "maxpool", "channel_shuffle",
            "concat", "split")
ACTIVATIONS = ("none", "relu", "hswish", "hsigmoid")
# Operator classes used by the per-device calibration (one scale factor per class).
OP_CLASSES = ("conv", "conv1x1", "depthwise", "linear", "elementwise")


@dataclass(frozen=True)
class OpSpec:
    """Attributes of one operator (all sizes in elements; NCHW tensors, batch 1)."""

    op_type: str
    dtype: str = "fp32"
    kernel_h: int = 1
    kernel_w: int = 1
    stride_h: int = 1
    stride_w: int = 1
    padding: int = 0
    in_channels: int = 0
    out_channels: int = 0
    input_h: int = 1
    input_w: int = 1
    groups: int = 1
    activation: str = "none"

    def __post_init__(self) -> None:
        if self.op_type not in OP_TYPES:
            raise ValueError(f"unknown op_type {self.op_type!r}; valid: {OP_TYPES}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; valid: {ACTIVATIONS}")

    def key(self) -> tuple:
        """Tuple of all attributes, in :func:`attribute_names` order."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict:
        return asdict(self)

    def output_hw(self) -> tuple[int, int]:
        """Spatial size of the output (conv / pooling arithmetic)."""
        if self.op_type in ("conv2d", "maxpool"):
            oh = (self.input_h + 2 * self.padding - self.kernel_h) // self.stride_h + 1
            ow = (self.input_w + 2 * self.padding - self.kernel_w) // self.stride_w + 1
            return oh, ow
        if self.op_type in ("global_avgpool", "linear"):
            return 1, 1
        return self.input_h, self.input_w

    def input_bytes(self) -> int:
        """Bytes of the (first) input tensor, fp32/int32 = 4 bytes per element."""
        width = 2 if self.dtype in ("fp16", "bf16") else (1 if self.dtype == "int8" else 4)
        return width * max(self.in_channels, 1) * self.input_h * self.input_w

    def __str__(self) -> str:
        if self.op_type == "conv2d":
            dw = "dw" if self.groups > 1 and self.groups == self.in_channels else ""
            return (f"conv2d{dw}[{self.in_channels}->{self.out_channels} k{self.kernel_h}x"
                    f"{self.kernel_w} s{self.stride_h} p{self.padding} g{self.groups} "
                    f"@{self.input_h}x{self.input_w} {self.activation} {self.dtype}]")
        return (f"{self.op_type}[{self.in_channels}->{self.out_channels} "
                f"@{self.input_h}x{self.input_w} {self.activation} {self.dtype}]")


def attribute_names() -> tuple[str, ...]:
    """Names of the OpSpec fields (= columns of the ``operators`` table)."""
    return tuple(f.name for f in fields(OpSpec))


def op_params(op: OpSpec) -> int:
    """Trainable parameters of ``op`` in deployment form (BatchNorm folded into a conv bias)."""
    if op.op_type == "conv2d":
        return op.out_channels * (op.in_channels // op.groups) * op.kernel_h * op.kernel_w \
            + op.out_channels
    if op.op_type == "linear":
        return op.in_channels * op.out_channels + op.out_channels
    return 0


def op_macs(op: OpSpec) -> int:
    """Multiply-accumulates of ``op`` (convolutions and linear layers; element-wise ops count 0,
    the usual convention behind published MAC figures)."""
    if op.op_type == "conv2d":
        oh, ow = op.output_hw()
        return oh * ow * op.out_channels * (op.in_channels // op.groups) * op.kernel_h * op.kernel_w
    if op.op_type == "linear":
        return op.in_channels * op.out_channels
    return 0


def op_class(op: OpSpec) -> str:
    """Calibration class of an operator: conv / conv1x1 / depthwise / linear / elementwise."""
    if op.op_type == "conv2d":
        if op.groups > 1 and op.groups == op.in_channels:
            return "depthwise"
        if op.kernel_h == 1 and op.kernel_w == 1:
            return "conv1x1"
        return "conv"
    if op.op_type == "linear":
        return "linear"
    return "elementwise"
