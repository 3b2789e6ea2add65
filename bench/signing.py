"""signing: PAdES seals per second (pyHanko, in-process, development key and TSA) vs the bare weasyprint render.

Self-contained (no broker, no database): a 2-page quote is rendered with weasyprint, then sealed again
and again exactly as the signing service does at completion (``signing_service.crypto.seal_pdf``:
PAdES B-T, RSA-2048, SHA-256, RFC 3161 timestamp from the in-process development TSA), and the sealed
file is verified (``verify_pdf``: integrity, coverage, timestamp, trust). Each step runs for
``--seconds`` on one thread (both are CPU-bound and hold the GIL; the service runs them in
``eventlet.tpool`` so that the hub keeps serving).

    ./paraph bench signing [--seconds 3] [--pages 2]
"""
from __future__ import annotations

import argparse
import time

from bench.common import ratio, save, table

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
    from signing_service import crypto

    t0 = time.perf_counter()
    km = crypto.dev_material(crypto.generate_dev_credentials())
    keygen = time.perf_counter() - t0
    html = _document_html(args.pages)
    pdf = render_pdf(html)  # the services' sandboxed render (fetches nothing)
    sealed = crypto.seal_pdf(pdf, km)
    check = crypto.verify_pdf(sealed, km.trust_roots, km.fingerprints())["signatures"][0]
    assert check["intact"] and check["covers_whole_file"] and check["timestamp"]["present"], check

    render_rate, render_n, render_s = _rate(lambda: render_pdf(html), args.seconds)
    seal_rate, seal_n, seal_s = _rate(lambda: crypto.seal_pdf(pdf, km), args.seconds)
    verify_rate, verify_n, verify_s = _rate(
        lambda: crypto.verify_pdf(sealed, km.trust_roots, km.fingerprints()), args.seconds)

    rows = [["weasyprint render", f"{render_rate:.1f}/s", render_n, f"{render_s * 1000:.1f} ms"],
            ["PAdES B-T seal", f"{seal_rate:.1f}/s", seal_n, f"{seal_s * 1000:.1f} ms"],
            ["seal verification", f"{verify_rate:.1f}/s", verify_n, f"{verify_s * 1000:.1f} ms"]]
    print(f"{args.pages}-page PDF: {len(pdf)} bytes, sealed {len(sealed)} bytes (+{len(sealed) - len(pdf)}); "
          f"dev CA + keys generated in {keygen * 1000:.0f} ms")
    print(table(rows, ["operation", "rate", "count", "mean"]))
    print(f"seals per render: {ratio(seal_rate, render_rate)}   verifications per seal: {ratio(verify_rate, seal_rate)}")
    print(f"completion cost (seal document + render proof + seal proof) ~ "
          f"{(2 * seal_s + render_s) * 1000:.0f} ms of CPU per signature request")
    path = save("signing", {"pages": args.pages, "pdf_bytes": len(pdf), "sealed_bytes": len(sealed),
                            "render_per_s": round(render_rate, 2), "seal_per_s": round(seal_rate, 2),
                            "verify_per_s": round(verify_rate, 2),
                            "seal_vs_render": round(seal_rate / render_rate, 3) if render_rate else None})
    print(f"results: {path.relative_to(path.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
