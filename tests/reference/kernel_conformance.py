"""Jupyter's kernel conformance suite (Debian's python3-jupyter-kernel-test) run against the Workbench C# kernel.

Run: JUPYTER_PATH=<prefix>/share/jupyter /usr/bin/python3 -m unittest tests/reference/kernel_conformance.py
(the xunit test KernelConformanceTests installs the kernelspec into a temporary prefix and does this).
"""
import unittest

import jupyter_kernel_test


class WorkbenchCSharpKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "workbench-csharp"
    language_name = "csharp"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("something went wrong");'

    completion_samples = [
        {"text": "Console.WriteL", "matches": {"WriteLine"}},
        {"text": "Math.Ab", "matches": {"Abs"}},
        {"text": "var zebra1 = 1; var zebra2 = 2; zeb", "matches": {"zebra1", "zebra2"}},
    ]

    complete_code_samples = ["var x = 1;", "Console.WriteLine(1)", "class C { }", "1 + 1"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "class C {", 'var s = "abc', "Foo(1,"]
    invalid_code_samples = ["int x = ;", "x = = 1;", "int 3x = 1;"]

    code_generate_error = 'throw new InvalidOperationException("boom");'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"con" + "cat"', "result": "concat"},
        {"code": "new[] { 1, 2, 3 }.Sum()", "result": "6"},
    ]

    code_display_data = [
        {"code": 'display(new Table("a", "b").AddRow(1, 2));', "mime": "text/html"},
        {"code": 'display("plain text");', "mime": "text/plain"},
    ]

    code_history_pattern = "6 * *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.Max"

    code_clear_output = "clear_output();"


if __name__ == "__main__":
    unittest.main()
