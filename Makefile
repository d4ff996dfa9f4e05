# The two commands of the README, plus helpers. Each target sets up .venv first if needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: report test lab app lint bench samples clean system-report system-test

report: system-report $(STAMP)  ## the sample reports: reports/shawna.pdf (English), reports/ticino.pdf (Italian)
	$(BIN)/tpkit validate data/samples
	$(BIN)/tpkit report --batch data/samples --out-dir reports

test: system-test $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lab: $(STAMP)  ## JupyterLab on the notebooks, bound to this machine only
	$(BIN)/tpkit lab

app: $(STAMP)  ## the code-free app (Voila), bound to this machine only
	$(BIN)/tpkit app

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks

# The Shawna sample's customer responses, imported afresh from its sample export. The
# export holds a few answers the import must refuse (they show how skips are reported),
# so the command's "some lines skipped" exit is fine as long as the file was written.
samples: $(STAMP)  ## data/samples/shawna.responses.parquet from data/samples/surveys/
	rm -f data/samples/shawna.responses.parquet
	$(BIN)/tpkit survey import data/samples/surveys/shawna-google-forms.csv \
		--workbook data/samples/shawna.yaml || test -s data/samples/shawna.responses.parquet

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b; done

# The Debian packages a report or the suite needs (chromium, poppler, pango, fonts, a
# Java runtime): installed when root or sudo without a password allows, otherwise one
# line names the apt-get command. The one list is scripts/system-packages.
system-report system-test:
	@scripts/system-packages $(@:system-%=%)

$(STAMP): pyproject.toml
	@scripts/system-packages venv
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache reports
