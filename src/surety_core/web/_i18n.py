"""The pages' words in Japanese (first) and English (private)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LANGUAGES", "STATUS", "TEXT", "Translator", "translator"]

LANGUAGES = ("ja", "en")
"""Japanese first; English available."""

TEXT: Mapping[str, tuple[str, str]] = {
    "site": ("電子保証", "Electronic surety"),
    "skip": ("本文へ移動", "Skip to content"),
    "language": ("English", "日本語"),
    "language_label": ("Language: English", "言語: 日本語"),
    "registry": ("電子保証の閲覧", "View an electronic guarantee"),
    "registry_lead": (
        "「認証キーのお知らせ」に記載の保証契約番号と認証キーを入力してください。",
        "Enter the guarantee contract number and the authentication key printed on the key notice.",
    ),
    "number": ("保証契約番号", "Guarantee contract number"),
    "number_hint": ("10桁の数字 (ハイフン・全角可)", "10 digits (hyphens and full-width allowed)"),
    "key": ("認証キー", "Authentication key"),
    "key_hint": (
        "XXXX-XXXX-XXXX-XXXX-XXXX (区切り・全角・小文字可)",
        "XXXX-XXXX-XXXX-XXXX-XXXX (separators, full-width and lower case allowed)",
    ),
    "view": ("閲覧する", "View"),
    "rejected": (
        "保証契約番号または認証キーが正しくありません。",
        "The guarantee contract number or the authentication key is not correct.",
    ),
    "replaced": (
        "この認証キーは再発行により使用できなくなりました。受注者から新しい"
        "「電子保証にかかる「認証キー」のお知らせ」を受け取り、その認証キーで閲覧してください。",
        "This authentication key was replaced by a re-issued key. Ask the contractor for the new "
        "key notice and view the guarantee with its key.",
    ),
    "typo": (
        "認証キーに入力ミスがあります (チェック文字が一致しません)。照合は行っていません。"
        "お知らせと見比べてください。",
        "The authentication key has a typo (its check character does not match). Nothing was "
        "looked up: compare it with the key notice.",
    ),
    "bad_key": (
        "認証キーの形式が正しくありません。照合は行っていません。",
        "The authentication key is not well formed. Nothing was looked up.",
    ),
    "bad_number": (
        "保証契約番号は10桁の数字です。照合は行っていません。",
        "A guarantee contract number has 10 digits. Nothing was looked up.",
    ),
    "refused": (
        "誤った入力が続いたため、この保証契約番号の閲覧を一時的に停止しています。"
        "しばらくしてからお試しください。",
        "Too many failed attempts for this guarantee contract number: viewing is paused. "
        "Please try again later.",
    ),
    "rate_limited": (
        "短時間に多くの照会がありました。しばらくしてからお試しください。",
        "Too many requests in a short time. Please try again later.",
    ),
    "csrf": (
        "フォームの有効期限が切れました。もう一度入力してください。",
        "The form has expired. Please enter it again.",
    ),
    "certificate": ("電子証書", "Electronic certificate"),
    "product": ("保証の種類", "Product"),
    "status": ("状態", "Status"),
    "amount": ("保証金額", "Guaranteed amount"),
    "period": ("保証期間", "Period"),
    "period_start": ("保証期間 (開始)", "Period start"),
    "period_end": ("保証期間 (終了)", "Period end"),
    "works": ("工事名", "Works"),
    "works_number": ("工事番号", "Works number"),
    "contract_price": ("請負代金額", "Contract price"),
    "obligee": ("発注者 (保証債権者)", "Obligee"),
    "obligee_short": ("発注者", "Obligee"),
    "principal": ("受注者 (保証委託者)", "Contractor (principal)"),
    "corporate_number": ("法人番号", "Corporate number"),
    "sole_proprietor": ("個人事業主", "Sole proprietor"),
    "principal_id": ("法人番号または取引先番号", "Corporate number or customer number"),
    "principal_id_hint": (
        "法人は13桁の法人番号、個人事業主は保証会社の取引先番号を入力してください。",
        "A corporation enters its 13-digit corporate number; a sole proprietor, the customer"
        " number the surety gave it.",
    ),
    "surety": ("保証会社", "Surety"),
    "medium": ("媒体", "Medium"),
    "version": ("版", "Version"),
    "versions": ("変更履歴", "Versions"),
    "effective_on": ("効力発生日", "Effective on"),
    "reason": ("事由", "Reason"),
    "signature": ("電子署名", "Signature"),
    "signature_valid": (
        "有効 (保証会社の公開鍵で検証済み、{count}版の連鎖)",
        "Valid (checked with the surety's public keys, {count} version(s) chained)",
    ),
    "signature_invalid": (
        "検証できませんでした。保証会社にお問い合わせください。",
        "Could not be verified. Please contact the surety.",
    ),
    "signature_unchecked": ("未検証 (公開鍵が設定されていません)", "Not checked (no public keys)"),
    "viewed_at": ("閲覧日時", "Viewed at"),
    "download_certificate": ("電子証書 (PDF) をダウンロード", "Download the certificate (PDF)"),
    "print": (
        "このページは印刷用に整形されます (ブラウザの印刷機能をご利用ください)。",
        "This page prints cleanly (use the browser's print command).",
    ),
    "view_another": ("別の保証を閲覧する", "View another guarantee"),
    "expired_form": (
        "閲覧の有効期限が切れました。もう一度閲覧してください。",
        "This view has expired. Please view the guarantee again.",
    ),
    "portal": ("受注者向けポータル", "Contractor portal"),
    "history": ("電子保証履歴一覧", "Guarantee history"),
    "sign_in": ("ログイン", "Sign in"),
    "sign_out": ("ログアウト", "Sign out"),
    "dev_sign_in": ("開発用ログイン", "Development sign-in"),
    "dev_sign_in_lead": (
        "開発・デモ専用です。法人番号(個人事業主は取引先番号)だけでログインできます。"
        "本番では使用しないでください。",
        "For development and the demo only: signs in with a corporate number (a sole"
        " proprietor's customer number) alone. Never in production.",
    ),
    "not_signed_in": ("ログインしてください。", "Please sign in."),
    "signed_in_as": ("{number} でログイン中", "Signed in as {number}"),
    "filters": ("絞り込み", "Filters"),
    "any": ("すべて", "Any"),
    "issued_from": ("発行日 (から)", "Issued from"),
    "issued_to": ("発行日 (まで)", "Issued to"),
    "apply_filters": ("絞り込む", "Apply"),
    "export_csv": ("CSV出力", "Export CSV"),
    "issued_on": ("発行日", "Issued on"),
    "content": ("保証契約内容", "Contract"),
    "details": ("詳細", "Details"),
    "no_guarantees": ("該当する保証はありません。", "No guarantees match."),
    "shown": (
        "{total}件中 {first}–{last}件 (新しい順)",
        "{first}–{last} of {total} (newest first)",
    ),
    "previous": ("前へ", "Previous"),
    "next": ("次へ", "Next"),
    "key_notice": ("認証キーのお知らせ (PDF)", "Key notice (PDF)"),
    "key_notice_lead": (
        "認証キーが記載されています。発注者へ提出するまで厳重に管理してください。",
        "It shows the authentication key: keep it safe until you submit it to the obligee.",
    ),
    "no_key": ("書面の保証のため認証キーはありません。", "A paper guarantee has no key."),
    "statements": ("計算書", "Statements"),
    "total": ("合計", "Total"),
    "kind": ("種類", "Kind"),
    "certificates": ("電子証書の版", "Certificate versions"),
    "download": ("ダウンロード", "Download"),
    "back_to_history": ("履歴一覧へ戻る", "Back to the history"),
    "not_found": ("ページが見つかりません。", "Page not found."),
    "not_yours": ("この保証は表示できません。", "This guarantee cannot be shown."),
    "bad_request": ("入力が正しくありません。", "The input is not valid."),
    "error": ("エラー", "Error"),
    "home": ("トップ", "Home"),
    "home_lead": (
        "発注者の方は電子保証の閲覧へ、受注者の方はポータルへお進みください。",
        "Obligees: view a guarantee. Contractors: open the portal.",
    ),
    "yen": ("{amount}円", "¥{amount}"),
}

STATUS: Mapping[str, tuple[str, str]] = {
    "issued": ("有効", "In force"),
    "released": ("解約・返還", "Released"),
    "claimed": ("保証事故", "Claimed"),
    "expired": ("期間満了", "Expired"),
    "electronic": ("電子", "Electronic"),
    "paper": ("書面", "Paper"),
    "fee": ("保証料計算書", "Fee statement"),
    "refund": ("返戻保証料計算書", "Refund statement"),
    "claim": ("保証事故精算書", "Claim settlement"),
    "additional": ("追加保証料計算書", "Additional fee statement"),
}


class Translator:
    """``t(key, **values)``: the text of ``key`` in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else LANGUAGES[0]
        self._index = LANGUAGES.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = TEXT[key][self._index]
        return text.format(**values) if values else text

    def status(self, value: str) -> str:
        """A status, medium or statement kind in this language (the code when unknown)."""
        pair = STATUS.get(value)
        return value if pair is None else pair[self._index]

    def yen(self, amount: int) -> str:
        return self("yen", amount=f"{amount:,}")


def translator(lang: str) -> Translator:
    return Translator(lang)
