"""One risk check per module. Each returns a :class:`~ouroboros.risk.codes.CheckResult`.

Quantity checks take the resolved :class:`~ouroboros.risk.context.CheckContext` and a proposed
quantity and answer PASS, or RESIZE with the largest quantity they allow; caps are monotone
(a smaller quantity never breaks a limit a larger one kept), so the smallest cap satisfies all.
"""
