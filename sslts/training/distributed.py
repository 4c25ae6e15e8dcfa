"""Data-parallel training over ``torch.distributed`` (one process per device, ``torchrun``).

When ``fit`` runs in a process group of more than one process (the script
called ``torch.distributed.init_process_group``, or was launched by
``torchrun`` and sslts initialised the group), every process trains the
same model on its shard of the data:

- the random state is rank 0's, so every rank draws the same permutation
  and takes every ``world_size``-th series of it (:func:`shard`): disjoint
  shards that together hold every series once per epoch (a few repeated to
  give every rank as many);
- the model starts from rank 0's weights (:func:`broadcast_parameters`);
- the losses of two-view methods see the global batch: the projections of
  every rank are gathered with an autograd-aware all-gather
  (:func:`gather`), so NT-Xent has the negatives of every rank and Barlow
  Twins / VICReg compute their statistics over the global batch;
- batch normalisation uses the statistics of the global batch
  (:class:`SyncedBatchNorm`, any backend, CPU included);
- after each backward pass the gradients are averaged over the ranks
  (:func:`average_gradients`), so every rank takes the same optimizer step.

Gathering with an all-gather whose backward sums the gradients of each
rank's slice over the ranks (:func:`gather`), and then
averaging the parameters' gradients gives exactly the gradient of the
global-batch loss: every rank holds the same loss, so the summed slice
gradients are ``world_size`` times the true ones, and the average divides
that factor out. A plain ``all_gather`` or ``all_reduce`` outside autograd
would drop the other ranks' contributions and scale the gradients by
``1 / world_size``.
"""

import contextlib
import os

import torch
import torch.distributed as dist
from torch import nn

#: The batch-norm layers synchronised across ranks.
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)

__all__ = ["BATCH_NORMS", "SyncedBatchNorm", "all_sum", "average_gradients", "broadcast_parameters",
           "broadcast_random_state", "data_parallel", "gather", "init_from_environment", "shard",
           "shard_size", "world"]


def world():
    """``(rank, world_size)`` of the default process group; ``(0, 1)`` without one."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def init_from_environment(device):
    """Initialise the default process group from ``torchrun``'s environment, if any.

    Does nothing when a group exists or when ``WORLD_SIZE`` is unset or 1.
    The backend is NCCL for CUDA devices, gloo otherwise; a CUDA process
    uses the GPU ``LOCAL_RANK``.

    Parameters
    ----------
    device : str
        The training device.
    """
    if not dist.is_available() or dist.is_initialized():
        return
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return
    cuda = torch.device(device).type == "cuda"
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group("nccl" if cuda else "gloo")


def _collective_device(device):
    """Tensors of collectives live on the training device for NCCL, on CPU otherwise."""
    return torch.device(device) if dist.get_backend() == "nccl" else torch.device("cpu")


def broadcast_random_state(rng, device="cpu"):
    """Give ``rng`` (a ``numpy.random.RandomState``) rank 0's state, in place.

    Every rank then draws rank 0's seeds (weights, shuffling, validation
    split), whatever ``random_state`` each was given; with the same integer
    on every rank, nothing changes.
    """
    name, keys, pos, has_gauss, gauss = rng.get_state()
    where = _collective_device(device)
    ints = torch.tensor([*keys.tolist(), pos, has_gauss], dtype=torch.int64, device=where)
    value = torch.tensor([gauss], dtype=torch.float64, device=where)
    dist.broadcast(ints, src=0)
    dist.broadcast(value, src=0)
    ints = ints.cpu().numpy()
    rng.set_state((name, ints[:-2].astype(keys.dtype), int(ints[-2]), int(ints[-1]),
                   float(value.item())))
    return rng


def broadcast_parameters(module):
    """Copy rank 0's parameters and buffers to every rank, in place."""
    with torch.no_grad():
        for tensor in [*module.parameters(), *module.buffers()]:
            dist.broadcast(tensor.data, src=0)


class _Gather(torch.autograd.Function):
    """All-gather along dim 0 whose backward sums the slice's gradients over the ranks."""

    @staticmethod
    def forward(ctx, x):
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad.chunk(dist.get_world_size())[dist.get_rank()]


class _Sum(torch.autograd.Function):
    """All-reduce (sum) whose backward is the all-reduced gradient."""

    @staticmethod
    def forward(ctx, x):
        x = x.clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad


def gather(tensor):
    """Concatenate ``tensor`` of every rank along dim 0, keeping gradients.

    The backward pass sums, over the ranks, the gradient that each rank's
    loss sends to this rank's slice. Every rank must pass the same shape.
    """
    return _Gather.apply(tensor)


def all_sum(tensor):
    """The sum of ``tensor`` over the ranks, keeping gradients (summed over the
    ranks in the backward pass)."""
    return _Sum.apply(tensor)


def average_gradients(module):
    """Average the gradients of ``module``'s parameters over the ranks, in place."""
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def shard_size(n, world_size):
    """Samples each rank takes out of an epoch of ``n``: ``n / world_size``
    rounded up (see :func:`shard`)."""
    return -(-n // world_size)


def shard(order, rank, world_size):
    """The positions of ``order`` that ``rank`` trains on in one epoch.

    ``order`` is padded with its own start to a multiple of ``world_size``
    (as ``torch.utils.data.DistributedSampler`` does), then every
    ``world_size``-th element from ``rank`` is taken: the shards are disjoint
    up to the padding, of equal size, and cover ``order``.
    """
    size = shard_size(len(order), world_size) * world_size
    if size > len(order):
        order = order.repeat(-(-size // len(order)))[:size]
    return order[rank::world_size]


class SyncedBatchNorm(nn.Module):
    """Batch normalisation with the statistics of the global batch across ranks.

    Wraps a ``BatchNorm1d``/``BatchNorm2d`` (sharing its parameters and
    buffers). In training, with a process group of several ranks, the
    per-channel sums and sums of squares are added over the ranks with an
    autograd-aware all-reduce; otherwise it is the wrapped module. Unlike
    ``torch.nn.SyncBatchNorm`` it works with every backend, gloo on CPU
    included.

    Parameters
    ----------
    bn : torch.nn.BatchNorm1d, BatchNorm2d or BatchNorm3d
        The module to synchronise.
    """

    def __init__(self, bn):
        super().__init__()
        self.bn = bn

    def forward(self, x):
        bn = self.bn
        rank, world_size = world()
        if not (self.training and world_size > 1 and bn.track_running_stats):
            return bn(x)
        dims = [0, *range(2, x.dim())]
        x32 = x.float()  # statistics in float32, also under autocast
        count = torch.tensor([x.numel() / x.shape[1]], dtype=torch.float32, device=x.device)
        stats = torch.cat([count, x32.sum(dims), (x32 * x32).sum(dims)])
        stats = all_sum(stats)
        n, total, squares = stats[0], stats[1:1 + x.shape[1]], stats[1 + x.shape[1]:]
        mean = total / n
        var = (squares / n - mean * mean).clamp(min=0)
        with torch.no_grad():
            momentum = 0.1 if bn.momentum is None else bn.momentum
            bn.running_mean.lerp_(mean.detach(), momentum)
            bn.running_var.lerp_(var.detach() * n / (n - 1).clamp(min=1), momentum)
            bn.num_batches_tracked += 1
        shape = [1, -1] + [1] * (x.dim() - 2)
        out = (x32 - mean.view(shape)) / torch.sqrt(var.view(shape) + bn.eps)
        if bn.affine:
            out = out * bn.weight.view(shape) + bn.bias.view(shape)
        return out.to(x.dtype)


def _replace_batchnorm(module, wrap):
    for name, child in module.named_children():
        replaced = wrap(child)
        if replaced is not None:
            setattr(module, name, replaced)
        else:
            _replace_batchnorm(child, wrap)


@contextlib.contextmanager
def data_parallel(module):
    """Prepare ``module`` for training on every rank, then restore it.

    With one process this does nothing. Otherwise the batch-norm layers are
    wrapped in :class:`SyncedBatchNorm` for the block (and unwrapped after
    it, so that the trained module holds plain layers) and rank 0's
    parameters are broadcast.

    Yields
    ------
    (rank, world_size)
    """
    rank, world_size = world()
    if world_size == 1:
        yield rank, world_size
        return
    _replace_batchnorm(module, lambda m: SyncedBatchNorm(m)
                       if isinstance(m, BATCH_NORMS) else None)
    try:
        broadcast_parameters(module)
        yield rank, world_size
    finally:
        _replace_batchnorm(module, lambda m: m.bn if isinstance(m, SyncedBatchNorm) else None)
