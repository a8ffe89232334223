"""Writes ``docs/_static/flow.svg``, the flow diagram: ``python docs/_ext/make_flow_svg.py``.

The SVG is committed, so the documentation builds offline with no drawing tool; this script is
how it is changed. Four lanes (contractor, surety, registry, obligee) and the numbered steps.
"""

from __future__ import annotations

from pathlib import Path

W, H = 960, 600
LANES = [
    ("受注者", "contractor"),
    ("保証会社", "surety (issuer)"),
    ("登録システム", "registry"),
    ("発注者", "obligee"),
]
COLOURS = ["#eef5ff", "#fff6e8", "#eefaf0", "#f6efff"]
FONTS = "'IPAPGothic', 'IPAGothic', 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', sans-serif"
LANE_W = W / 4

Box = tuple[float, float, float, float]


class Drawing:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def box(self, lane: int, y: float, lines: list[str]) -> Box:
        x, w, h = lane * LANE_W + 18, LANE_W - 36, 18 * len(lines) + 14
        self.add(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="#fff" '
            'stroke="#446" stroke-width="1.2"/>'
        )
        for k, line in enumerate(lines):
            weight = ' font-weight="bold"' if k == 0 else ""
            self.add(
                f'<text x="{x + w / 2}" y="{y + 20 + 18 * k}" text-anchor="middle" '
                f'font-size="13"{weight} fill="#112">{line}</text>'
            )
        return (x, y, w, h)

    def arrow(
        self, start: tuple[float, float], end: tuple[float, float], label: str = "", dy: float = -8
    ) -> None:
        (x1, y1), (x2, y2) = start, end
        self.add(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#334" stroke-width="1.5" '
            'marker-end="url(#a)"/>'
        )
        if label:
            self.add(
                f'<text x="{(x1 + x2) / 2}" y="{(y1 + y2) / 2 + dy}" text-anchor="middle" '
                f'font-size="12" fill="#334">{label}</text>'
            )


def draw() -> str:
    d = Drawing()
    d.add(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-labelledby="t d" font-family="{FONTS}">'
    )
    d.add('<title id="t">The flow of an electronic guarantee</title>')
    d.add(
        '<desc id="d">The contractor applies; the surety checks the rules, issues a signed '
        "certificate into the registry and e-mails the contractor; the contractor downloads the "
        "key notice and submits it to the obligee; the obligee views the certificate in the "
        "registry with the guarantee contract number and the key.</desc>"
    )
    d.add(
        '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#334"/></marker></defs>'
    )
    d.add('<rect width="100%" height="100%" fill="#fff"/>')
    for i, ((ja, en), colour) in enumerate(zip(LANES, COLOURS, strict=True)):
        x = i * LANE_W
        d.add(
            f'<rect x="{x + 4}" y="4" width="{LANE_W - 8}" height="{H - 8}" rx="10" '
            f'fill="{colour}" stroke="#ccd"/>'
        )
        d.add(
            f'<text x="{x + LANE_W / 2}" y="34" text-anchor="middle" font-size="18" '
            f'font-weight="bold" fill="#223">{ja}</text>'
        )
        d.add(
            f'<text x="{x + LANE_W / 2}" y="54" text-anchor="middle" font-size="13" '
            f'fill="#556">{en}</text>'
        )
    apply = d.box(0, 80, ["① 申込 apply", "product by product:", "electronic or paper"])
    check = d.box(1, 80, ["② 審査 check", "rules + obligee policy", "fee received (保証料)"])
    d.arrow((apply[0] + apply[2], 114), (check[0], 114), "application")
    issue = d.box(
        1, 200, ["③ 発行 issue", "contract v1, signed", "certificate, one key", "per guarantee"]
    )
    d.arrow((check[0] + check[2] / 2, check[1] + check[3]), (issue[0] + issue[2] / 2, issue[1]))
    stored = d.box(
        2, 200, ["電子証書 stored", "certificate versions", "key kept sealed", "(HMAC + AES-GCM)"]
    )
    d.arrow((issue[0] + issue[2], 236), (stored[0], 236), "store")
    mail = d.box(0, 300, ["④ 発行完了のお知らせ", "e-mail: issued", "(never the key)"])
    d.arrow((issue[0], 280), (mail[0] + mail[2], 320), "e-mail")
    notice = d.box(0, 440, ["⑤ 認証キーのお知らせ", "key notice PDF:", "number + key"])
    d.arrow((mail[0] + mail[2] / 2, mail[1] + mail[3]), (notice[0] + notice[2] / 2, notice[1]))
    submit = d.box(3, 320, ["⑥ 提出 submit", "instead of the paper", "certificate"])
    d.arrow((notice[0] + notice[2], 470), (submit[0], 350), "key notice", dy=-10)
    view = d.box(
        2, 440, ["⑦ 閲覧 view", "number + key →", "status, versions,", "signed certificate"]
    )
    d.arrow(
        (submit[0] + submit[2] / 2, submit[1] + submit[3]),
        (view[0] + view[2], 480),
        "number + key",
        dy=24,
    )
    d.arrow((stored[0] + stored[2] / 2, stored[1] + stored[3]), (view[0] + view[2] / 2, view[1]))
    d.add(
        f'<text x="{W / 2}" y="{H - 16}" text-anchor="middle" font-size="12" fill="#556">'
        "変更・解約・事故 (amend, release, claim, expire) add signed versions; "
        "the obligee always sees the current one.</text>"
    )
    d.add("</svg>")
    return "\n".join(d.parts) + "\n"


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "_static" / "flow.svg"
    target.write_text(draw(), encoding="utf-8")
    print(target)
