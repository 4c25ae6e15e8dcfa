"""Mixed-precision training: ``precision`` of the self-supervised transformers."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sslts import BarlowTwinsTransformer, SimCLRTransformer, TS2VecTransformer, VICRegTransformer
from sslts.training import precision

from .conftest import FAST


class DtypeRecorder(Callback):
    """Record the dtype of the encoder's output and of the loss inputs at each batch."""

    def initialize(self):
        self.encoder, self.loss = [], []
        self.grad_norms = []
        return self

    def on_train_begin(self, net, **kwargs):
        self._hooks = [
            net.module_.encoder.register_forward_hook(
                lambda m, args, out: self.encoder.append(out.dtype)),
            net.criterion_.register_forward_pre_hook(
                lambda m, args: self.loss.append({a.dtype for a in args
                                                  if torch.is_tensor(a)
                                                  and a.is_floating_point()})),
        ]

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        self.grad_norms.append(float(torch.norm(torch.stack([g.norm() for g in grads]))))

    def on_train_end(self, net, **kwargs):
        for hook in self._hooks:
            hook.remove()


def fit(method, X, precision, **params):
    recorder = DtypeRecorder()
    model = method(**{**FAST, **params}, precision=precision,
                   callbacks=[("dtypes", recorder)]).fit(X)
    return model, dict(model.net_.callbacks_)["dtypes"]


@pytest.mark.parametrize("method", [SimCLRTransformer, BarlowTwinsTransformer,
                                    VICRegTransformer])
def test_bf16_runs_the_encoder_in_bfloat16_and_the_loss_in_float32(series, method):
    X, _ = series
    start = method(**FAST).fit(X).encoder_.state_dict()
    model, seen = fit(method, X, "bf16")
    assert set(seen.encoder) == {torch.bfloat16}
    assert seen.loss and all(dtypes == {torch.float32} for dtypes in seen.loss)
    assert np.isfinite(model.history_[:, "train_loss"]).all()
    Z = model.transform(X)
    assert Z.dtype == np.float32 and np.isfinite(Z).all()
    assert any(not torch.equal(start[k], v) for k, v in model.encoder_.state_dict().items())


def test_float32_is_unchanged_by_default(series):
    X, _ = series
    model, seen = fit(SimCLRTransformer, X, "32")
    assert set(seen.encoder) == {torch.float32}
    np.testing.assert_array_equal(model.transform(X), SimCLRTransformer(**FAST).fit(X).transform(X))


def test_transform_embeds_in_float32(series):
    X, _ = series
    model, seen = fit(SimCLRTransformer, X, "bf16")
    dtypes = []
    model.encoder_.register_forward_hook(lambda m, a, out: dtypes.append(out.dtype))
    model.transform(X)
    assert set(dtypes) == {torch.float32}


def test_ts2vec_hierarchical_loss_in_bf16(series):
    X, _ = series
    model, seen = fit(TS2VecTransformer, X, "bf16", encoder="ts2vec", embedding_dim=8,
                      max_steps=3, batch_size=8)
    assert seen.loss and all(dtypes <= {torch.float32} for dtypes in seen.loss)
    assert np.isfinite(model.transform(X)).all()


def test_float16_scales_the_loss_and_unscales_before_callbacks(series, monkeypatch):
    X, _ = series
    scalers = []
    original = torch.amp.GradScaler

    def recording_scaler(*args, **kwargs):
        scalers.append(original(*args, **kwargs))
        return scalers[-1]

    monkeypatch.setattr(torch.amp, "GradScaler", recording_scaler)
    # refused on the CPU, where float16 is slow: allowed here to test the scaler
    monkeypatch.setattr(precision, "FLOAT16_DEVICES", {"cpu"})
    model, seen = fit(SimCLRTransformer, X, "16-mixed")
    assert len(scalers) == 1 and scalers[0].is_enabled()
    assert set(seen.encoder) == {torch.float16}
    # the loss was multiplied by the scale (2**16 at first), callbacks see unscaled gradients
    reference, ref_seen = fit(SimCLRTransformer, X, "32")
    assert max(seen.grad_norms) < 100 * max(ref_seen.grad_norms)
    assert np.isfinite(model.transform(X)).all()


def test_warm_start_takes_a_changed_precision(series):
    X, _ = series
    model, seen = fit(SimCLRTransformer, X, "32")
    model.set_params(precision="bf16", warm_start=True).fit(X)
    recorder = dict(model.net_.callbacks_)["dtypes"]
    assert recorder.encoder[0] == torch.float32 and recorder.encoder[-1] == torch.bfloat16


def test_bad_precision_is_refused(series):
    X, _ = series
    with pytest.raises(ValueError, match="precision"):
        SimCLRTransformer(**FAST, precision="16").fit(X)
    with pytest.raises(ValueError, match="'16-mixed' trains in float16, which is for GPUs"):
        SimCLRTransformer(**FAST, precision="16-mixed", device="cpu").fit(X)
