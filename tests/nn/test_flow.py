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
