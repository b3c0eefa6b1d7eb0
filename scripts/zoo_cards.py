"""Write (or check) the generated parts of every zoo card and of the README: a card's options
table, from the entry's declared options, and its table of shipped presets, from their
`metadata.json`; the README's table and gallery of every shipped preset.

    python scripts/zoo_cards.py          # rewrite them in zoo/<entry>/README.md and README.md
    python scripts/zoo_cards.py --check  # exit 1 if one differs from the entries or presets

They sit between the markers `<!-- options -->` / `<!-- /options -->` and `<!-- presets -->` /
`<!-- /presets -->`; the rest is prose and measurements, written by hand.
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- options -->", "<!-- /options -->"
PRESETS_BEGIN, PRESETS_END = "<!-- presets -->", "<!-- /presets -->"


def options_table(name):
    from keras_gen import zoo

    rows = [f"| `{option}` | `{default!r}` |" for option, default in zoo.get(name).options.items()]
    intro = f"Options of `keras_gen.zoo.build({name!r}, ...)` and `keras-gen train {name} --set KEY=VALUE`, with their defaults:"
    return "\n".join([BEGIN, intro, "", "| option | default |", "|---|---|", *rows, END])


def quality_summary(quality):
    """A preset's measured figures in words, whichever judge measured them."""
    figures = []
    if "modes" in quality:
        figures.append(f"{quality['modes']}/{quality['num_modes']} modes, {100 * quality['high_quality']:.1f}% high-quality "
                       f"samples ({quality['samples']:,} samples)")
    if "class_accuracy" in quality:
        figures.append(f"{100 * quality['class_accuracy']:.1f}% of samples of the class asked for")
    if "confident_share" in quality:
        real = quality.get("real_held_out", {}).get("confident_share")
        figures.append(f"confident share {quality['confident_share']:.3f}" + (f" (real digits {real:.3f})" if real else ""))
        figures.append(f"largest class {100 * quality['max_class_share']:.1f}%")
        fid = quality.get("fid", quality.get("domain_fid"))
        floor = quality.get("fid_floor", quality.get("real_held_out", {}).get("fid_floor"))
        figures.append(f"domain FID {fid:.1f}" + (f" (floor {floor:.2f})" if floor else ""))
        figures.append(f"precision {quality['precision']:.2f}, recall {quality['recall']:.2f}")
    for key in sorted(quality):
        if key.startswith("nll_iwae_k"):
            figures.append(f"held-out NLL <= {quality[key]:.1f} nats (IWAE, k={key[len('nll_iwae_k'):]})")
    if "nll_exact" in quality:
        figures.append(f"held-out NLL {quality['nll_exact']:.2f} nats (exact)")
    if "reconstruction_mse" in quality:
        figures.append(f"held-out reconstruction MSE {quality['reconstruction_mse']:.4f}")
    if "denoised_mse" in quality:
        figures.append(f"noisy inputs {quality['noisy_input_mse']:.4f} -> denoised {quality['denoised_mse']:.4f}")
    return "; ".join(figures)


def training_summary(metadata):
    """"6,200 steps, 482 s": how long a preset trained (its wall time where recorded)."""
    seconds = metadata.get("wall_seconds")
    return f"{metadata['steps']:,} steps" + (f", {seconds:,.0f} s" if seconds else "")


def presets_table(name):
    """The shipped presets of entry `name`, from their metadata, or None when it ships none."""
    from keras_gen import zoo

    shipped = zoo.presets(name)
    if not shipped:
        return None
    rows, images = [], []
    for preset, metadata in sorted(shipped.items()):
        command = metadata["command"].replace("|", "\\|")
        rows.append(f"| `{preset}` | `{command}` | {training_summary(metadata)} | {quality_summary(metadata.get('quality', {}))} |")
        images.append(f"![{name} {preset}](../../keras_gen/presets/{name}/{preset}/samples.png)")
    intro = (f"Shipped presets, `keras_gen.zoo.build({name!r}, weights=PRESET)` (from each preset's `metadata.json`; "
             "quality judged from the shipped float16 weights, commands in `benchmarks/zoo_quality.py` and "
             "`benchmarks/mode_collapse.py`; wall time on this project's shared 2-core CPU):")
    return "\n".join([PRESETS_BEGIN, intro, "", "| preset | trained by | steps, wall time | quality |", "|---|---|---|---|",
                      *rows, "", " ".join(images), PRESETS_END])


def readme_presets():
    """The README's table of every shipped preset and its gallery, four samples.png a row."""
    from keras_gen import zoo

    rows, cells = [], []
    for name in zoo.list():
        for preset, metadata in sorted(zoo.presets(name).items()):
            rows.append(f"| [`{name}`](zoo/{name}/README.md) / `{preset}` | {quality_summary(metadata.get('quality', {}))} "
                        f"| {training_summary(metadata)} |")
            cells.append((f"{name} / {preset}", f"keras_gen/presets/{name}/{preset}/samples.png"))
    gallery = []
    for start in range(0, len(cells), 4):
        row = cells[start : start + 4]
        gallery += ["| " + " | ".join(title for title, _ in row) + " |", "|" + "---|" * len(row),
                    "| " + " | ".join(f"![{title}]({image})" for title, image in row) + " |", ""]
    return "\n".join([PRESETS_BEGIN, "| preset | quality (judged from the shipped float16 weights) | training |",
                      "|---|---|---|", *rows, "", *gallery[:-1], PRESETS_END])


def replaced(text, begin, end, block, heading, before=None):
    """`text` with the block between `begin` and `end` replaced; else the block under `heading`,
    inserted before the line `before` or appended."""
    if begin in text and end in text:
        start, stop = text.index(begin), text.index(end) + len(end)
        return text[:start] + block + text[stop:]
    if before and f"\n{before}\n" in text:
        at = text.index(f"\n{before}\n") + 1
        return text[:at] + f"## {heading}\n\n{block}\n\n" + text[at:]
    return text.rstrip("\n") + f"\n\n## {heading}\n\n" + block + "\n"


def updated_card(text, name):
    """The card with its generated options and presets tables replaced (or appended)."""
    text = replaced(text, BEGIN, END, options_table(name), "Options")
    presets = presets_table(name)
    return text if presets is None else replaced(text, PRESETS_BEGIN, PRESETS_END, presets, "Pretrained presets", before="## Options")


def rewrite(path, transform, check, stale):
    """Apply `transform` to the text of `path`; a changed file is listed in `stale` and, unless
    `check`, written."""
    with open(path) as f:
        text = f.read()
    new = transform(text)
    if new != text:
        stale.append(path)
        if not check:
            with open(path, "w") as f:
                f.write(new)


def readme_block(text):
    """The README with its presets block rewritten (the markers must be there)."""
    if PRESETS_BEGIN not in text or PRESETS_END not in text:
        raise SystemExit(f"README.md has no {PRESETS_BEGIN} ... {PRESETS_END} block for the presets' table.")
    return replaced(text, PRESETS_BEGIN, PRESETS_END, readme_presets(), None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale tables instead of writing them")
    args = parser.parse_args(argv)
    from keras_gen import zoo

    stale = []
    for name in zoo.list():
        rewrite(os.path.join(ROOT, "zoo", name, "README.md"), lambda text: updated_card(text, name), args.check, stale)
    rewrite(os.path.join(ROOT, "README.md"), readme_block, args.check, stale)
    if args.check and stale:
        print(f"Stale generated tables (run python scripts/zoo_cards.py): {', '.join(stale)}")
        return 1
    print(f"{len(stale)} file(s) {'stale' if args.check else 'updated'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
