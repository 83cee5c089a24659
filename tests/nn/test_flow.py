import torch

from archembed.nn.flow import GatedFlow


def _chain(n: int) -> torch.Tensor:
    adj = torch.zeros(1, n, n)
    for i in range(n - 1):
        adj[0, i, i + 1] = 1.0
    return adj


def test_one_pass_moves_information_one_hop_along_edges():
    torch.manual_seed(0)
    flow = GatedFlow(4, 3, 4)
    x = torch.zeros(1, 3, 4)
    x[0, 0] = torch.randn(4)
    ops = torch.randn(1, 3, 3)
    empty = flow(torch.zeros_like(x), ops, _chain(3))
    out = flow(x, ops, _chain(3))
    changed = (out - empty).abs().sum(-1)[0]
    assert changed[0] > 0 and changed[1] > 0 and changed[2] == 0  # node 2 is two hops away
    twice = flow(out, ops, _chain(3))
    assert (twice - flow(flow(torch.zeros_like(x), ops, _chain(3)), ops, _chain(3))).abs()[
        0, 2
    ].sum() > 0


def test_closed_gates_block_messages_and_reverse_follows_successors():
    flow = GatedFlow(2, 1, 2)
    with torch.no_grad():
        flow.gate.weight.zero_()
        flow.gate.bias.fill_(-1e4)  # sigmoid -> 0: nothing passes
    x = torch.randn(1, 3, 2)
    ops = torch.zeros(1, 3, 1)
    assert torch.allclose(flow(x, ops, _chain(3)), flow.self_map(x))
    with torch.no_grad():
        flow.gate.bias.fill_(1e4)  # all open
    forward = flow(x, ops, _chain(3))
    backward = flow(x, ops, _chain(3), reverse=True)
    transposed = flow(x, ops, _chain(3).transpose(1, 2))
    assert torch.allclose(backward, transposed)
    assert not torch.allclose(forward, backward)


def test_without_self_loops_only_sources_keep_their_state():
    torch.manual_seed(0)
    flow = GatedFlow(3, 2, 3, self_loops=False)
    x = torch.randn(1, 3, 3)
    ops = torch.randn(1, 3, 2)
    out = flow(x, ops, _chain(3))
    sent = flow.message(x)
    gate = torch.sigmoid(flow.gate(ops))
    assert torch.allclose(out[0, 0], sent[0, 0])  # the input: no predecessors
    assert torch.allclose(out[0, 1], gate[0, 1] * sent[0, 0])  # only what reaches it
    assert torch.allclose(out[0, 2], gate[0, 2] * sent[0, 1])
    backward = flow(x, ops, _chain(3), reverse=True)
    assert torch.allclose(backward[0, 2], sent[0, 2])  # the output is the backward source


def test_open_gate_passes_messages_unchanged():
    torch.manual_seed(0)
    flow = GatedFlow(3, 2, 3, self_loops=False)
    x = torch.randn(1, 3, 3)
    ops = torch.randn(1, 3, 2)
    is_open = torch.tensor([[0.0, 1.0, 0.0]])
    out = flow(x, ops, _chain(3), open_gate=is_open)
    sent = flow.message(x)
    assert torch.allclose(out[0, 1], sent[0, 0])
    assert torch.allclose(out[0, 2], torch.sigmoid(flow.gate(ops))[0, 2] * sent[0, 1])
