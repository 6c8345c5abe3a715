"""Sequentially consistent loads, stores and fetch-and-add on int64 arrays, and a spin-wait hint, for compiled
code that hands work between threads without the GIL (:mod:`satgym.core.spin_team`).

numba has no atomics of its own; these are LLVM ``load atomic`` / ``store atomic`` with
``seq_cst`` ordering, so a store made by one thread is seen by another thread's later load in the
same order as every other such access (what a flag handshake between two threads needs), and the
compiler may not hoist a load out of a spin loop. :func:`cpu_relax` is x86's ``pause`` (the
spin-wait hint that frees the core's resources for the other thread); elsewhere it is a no-op.
"""

from __future__ import annotations

import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["atomic_fetch_add", "atomic_load", "atomic_store", "cpu_relax"]

_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")


def _pointer(context, builder, aryty, ary_value, index):
    ary = context.make_array(aryty)(context, builder, ary_value)
    return cgutils.get_item_pointer(context, builder, aryty, ary, [index])


def _check(arr, idx, value=types.int64) -> None:
    if not (isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1):
        raise TypeError(f"atomics: expected a 1-D int64 array, got {arr}")
    if not isinstance(idx, types.Integer):
        raise TypeError(f"atomics: expected an integer index, got {idx}")
    if not isinstance(value, types.Integer):
        raise TypeError(f"atomics: expected an integer value, got {value}")


@intrinsic
def atomic_load(typingctx, arr, idx):
    """``arr[idx]`` read with a sequentially consistent atomic load (no bounds check)."""
    _check(arr, idx)
    sig = types.int64(arr, idx)

    def codegen(context, builder, sig, args):
        return builder.load_atomic(_pointer(context, builder, sig.args[0], args[0], args[1]), "seq_cst", 8)

    return sig, codegen


@intrinsic
def atomic_store(typingctx, arr, idx, value):
    """``arr[idx] = value`` written with a sequentially consistent atomic store (no bounds check)."""
    _check(arr, idx, value)
    sig = types.void(arr, idx, value)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(v, _pointer(context, builder, sig.args[0], args[0], args[1]), "seq_cst", 8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def atomic_fetch_add(typingctx, arr, idx, value):
    """``arr[idx] += value`` as one sequentially consistent atomic read-modify-write; returns the
    value before (no bounds check)."""
    _check(arr, idx, value)
    sig = types.int64(arr, idx, value)

    def codegen(context, builder, sig, args):
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", _pointer(context, builder, sig.args[0], args[0], args[1]), v, "seq_cst")

    return sig, codegen


@intrinsic
def cpu_relax(typingctx):
    """The spin-wait hint (x86 ``pause``); nothing on other machines."""
    sig = types.void()

    def codegen(context, builder, sig, args):
        if _X86:
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                "llvm.x86.sse2.pause")
            builder.call(fn, [])
        return context.get_dummy_value()

    return sig, codegen
