"""Prints one closing line for the whole suite from dotnet test's .trx files: 'N passed, N failed, N skipped'."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", NS)
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
