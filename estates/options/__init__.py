"""Options: the scenario document and its parsing, applying changes to a region, comparing an
option with the baseline, the site finder and the options appraisal."""
