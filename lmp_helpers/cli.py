"""The `lmp` command line.

Each subcommand's work lives in its own module (imported lazily, so `lmp --help` is fast); this file
only declares the arguments and turns errors into one specific line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from lmp_helpers.errors import LmpError

# subcommand -> (module, function). The function takes the parsed argparse namespace.
COMMANDS = {
    "simulate": ("lmp_helpers.simulate", "cli_simulate"),
    "import": ("lmp_helpers.importer", "cli_import"),
    "validate": ("lmp_helpers.data", "cli_validate"),
    "tables": ("lmp_helpers.tables", "cli_tables"),
    "run": ("lmp_helpers.runner", "cli_run"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmp",
        description="Reproduser delrapport 2 i evalueringen av Læringsmiljøprosjektet fra mikrodata.",
    )
    parser.add_argument("--debug", action="store_true", help="vis full traceback ved feil")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("simulate", help="lag det syntetiske datasettet (seedet, deterministisk)")
    p.add_argument("--seed", type=int, default=None, help="seed (standard: fra kalibreringsfila)")
    p.add_argument("--out", default=None, help="mappe for CSV-filene (standard: data/synthetic)")

    p = sub.add_parser("import", help="konverter en eksport fra spørreskjemaverktøyet til kanonisk CSV")
    p.add_argument("file", help=".xlsx eller .csv (UTF-8, UTF-8 med BOM eller cp1252; , eller ;)")
    p.add_argument("--group", required=True, help="ppt, skoleleder eller skoleeier")
    p.add_argument("--out", required=True, help="datamappe der <gruppe>.csv skrives")

    p = sub.add_parser("validate", help="sjekk en datamappe mot kodeboka")
    p.add_argument("data_dir", nargs="?", default=None, help="datamappe (standard: data/synthetic)")

    p = sub.add_parser("tables", help="skriv én CSV per figur/tabell, med prikking")
    p.add_argument("--pulje", default="alle", help="1, 2, 3 eller alle")
    p.add_argument("--data", default=None, help="datamappe (standard: data/synthetic)")
    p.add_argument("--min-n", type=int, default=5, help="minste n som vises (standard 5)")
    p.add_argument("--out", required=True, help="mappe for tabellene")

    p = sub.add_parser("run", help="kjør alle kapitler med papermill for hver pulje")
    p.add_argument("--pulje", nargs="+", default=["1", "2", "3", "alle"], help="én eller flere av 1 2 3 alle")
    p.add_argument("--data", default=None, help="datamappe (standard: data/synthetic)")
    p.add_argument("--min-n", type=int, default=5, help="minste n som vises (standard 5)")
    p.add_argument("--jobs", type=int, default=None, help="parallelle kjøringer (standard: antall kjerner)")
    p.add_argument("--out", default=None, help="mappe for kjørte notebooks (standard: generated)")
    p.add_argument("--force", action="store_true", help="kjør alt på nytt, se bort fra cachen")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module_name, func_name = COMMANDS[args.command]
    try:
        func = getattr(importlib.import_module(module_name), func_name)
        result = func(args)
        return int(result or 0)
    except LmpError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"lmp {args.command}: feil: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lmp {args.command}: avbrutt", file=sys.stderr)
        return 130
    except Exception as exc:  # unexpected: still one line unless --debug
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"lmp {args.command}: uventet feil ({type(exc).__name__}): {exc} (kjør med --debug for detaljer)",
                file=sys.stderr,
            )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
