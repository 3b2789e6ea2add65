"""signing: PAdES seals per second at each level (pyHanko, in-process, development key, CRL and TSA) vs the
bare weasyprint render.

Self-contained (no broker, no database): a 2-page quote is rendered with weasyprint, then sealed again
and again exactly as the signing service does at completion (``signing_service.crypto.seal_pdf``:
RSA-2048, SHA-256), at each PAdES level in the same run: B-B (signature only), B-T (+ RFC 3161 timestamp
from the in-process development TSA), B-LT (+ chain and the development CA's CRL in a DSS revision) and
B-LTA (+ a document timestamp); ratios are to B-B. The B-LTA file is then verified (``verify_pdf``:
integrity, coverage, timestamps, trust, level). Each step runs for ``--seconds`` on one thread (all are
CPU-bound; the service runs them in ``paraph_platform.offhub`` worker processes so that the hub keeps
serving). The load average is printed with the figures: compare runs taken under similar load.

    ./paraph bench signing [--seconds 3] [--pages 2]
"""
from __future__ import annotations

import argparse
import time

from bench.common import load_average, ratio, save, table

SUITE = True


def _document_html(pages: int) -> str:
    rows = "".join(f"<tr><td>Article {i}</td><td>{i}</td><td>{i * 12.5:.2f} EUR</td></tr>" for i in range(1, 34))
    page = (f"<h1>Devis Q-2030-00001</h1><p>Client SARL, 1 rue de la Paix, 75002 Paris</p>"
            f"<table style='width:100%'><tr><th>Désignation</th><th>Qté</th><th>Montant</th></tr>{rows}</table>")
    return "<html><body>" + "<div style='page-break-after: always'>" + \
        "</div><div style='page-break-after: always'>".join([page] * pages) + "</div></body></html>"


def _rate(fn, seconds: float) -> tuple[float, int, float]:
    fn()  # warm-up (fonts, first key use, pyHanko caches)
    n, started = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return n / elapsed, n, elapsed / n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="./paraph bench signing", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement")
    parser.add_argument("--pages", type=int, default=2)
    args = parser.parse_args(argv)

    from paraph_platform.pdf_sandbox import render_pdf
    from signing_service import crypto, pdf_verification

    t0 = time.perf_counter()
    creds = crypto.generate_dev_credentials(crl_url="http://127.0.0.1/api/v1/signing/ca.crl")
    km = crypto.dev_material(creds, crypto.issue_crl(creds))
    keygen = time.perf_counter() - t0
    html = _document_html(args.pages)
    pdf = render_pdf(html)  # the services' sandboxed render (fetches nothing)
    sealed = {}
    for level in crypto.LEVELS:  # each level is reached (no silent fallback measured as B-LT)
        sealed[level] = crypto.seal_pdf(pdf, km, level=level)
        check = pdf_verification.verify_pdf(sealed[level], km.trust_roots, km.fingerprints())["signatures"][0]
        assert check["intact"] and check["covers_whole_file"] and check["pades_level"] == level, check
    lta = sealed["B-LTA"]

    load_before = load_average()
    render_rate, render_n, render_s = _rate(lambda: render_pdf(html), args.seconds)
    seals = {level: _rate(lambda level=level: crypto.seal_pdf(pdf, km, level=level), args.seconds)
             for level in crypto.LEVELS}
    verify_rate, verify_n, verify_s = _rate(
        lambda: pdf_verification.verify_pdf(lta, km.trust_roots, km.fingerprints()), args.seconds)
    load_after = load_average()

    base = seals["B-B"][0]
    rows = [["weasyprint render", f"{render_rate:.1f}/s", render_n, f"{render_s * 1000:.1f} ms", "", ""]]
    rows += [[f"PAdES {level} seal", f"{rate:.1f}/s", n, f"{mean * 1000:.1f} ms", ratio(rate, base),
              f"+{len(sealed[level]) - len(pdf)}"] for level, (rate, n, mean) in seals.items()]
    rows.append(["B-LTA verification", f"{verify_rate:.1f}/s", verify_n, f"{verify_s * 1000:.1f} ms", "", ""])
    print(f"{args.pages}-page PDF: {len(pdf)} bytes; dev CA + keys generated in {keygen * 1000:.0f} ms")
    print(table(rows, ["operation", "rate", "count", "mean", "rate / B-B", "bytes added"]))
    print(f"load average: {load_before} (start), {load_after} (end)")
    seal_s = seals[crypto.pades_level(None)][2]
    print(f"B-LTA seals per render: {ratio(seals['B-LTA'][0], render_rate)}   "
          f"verifications per B-LTA seal: {ratio(verify_rate, seals['B-LTA'][0])}")
    print(f"completion cost at the default level (seal document + render proof + seal proof) ~ "
          f"{(2 * seal_s + render_s) * 1000:.0f} ms of CPU per signature request")
    path = save("signing", {"pages": args.pages, "pdf_bytes": len(pdf),
                            "sealed_bytes": {level: len(data) for level, data in sealed.items()},
                            "render_per_s": round(render_rate, 2),
                            "seal_per_s": {level: round(rate, 2) for level, (rate, _n, _m) in seals.items()},
                            "seal_vs_b_b": {level: round(rate / base, 3) if base else None
                                            for level, (rate, _n, _m) in seals.items()},
                            "verify_per_s": round(verify_rate, 2), "load_average": [load_before, load_after]})
    print(f"results: {path.relative_to(path.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
