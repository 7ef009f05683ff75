using System.CommandLine;

namespace Workbench.Cli.Tests;

public class ProgramTests
{
    /// <summary>Every command path in the tree, e.g. "train colorize".</summary>
    public static TheoryData<string> CommandPaths()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands)
            {
                var subPath = path == "" ? sub.Name : $"{path} {sub.Name}";
                data.Add(subPath);
                Walk(sub, subPath);
            }
        }
        Walk(Program.BuildRoot(), "");
        return data;
    }

    [Fact]
    public void CommandNamesAreUniqueAtEveryLevel()
    {
        // A command added twice (a merge did it once) makes every parse throw, `--help` included.
        void Check(Command command)
        {
            var duplicates = command.Subcommands.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"'{command.Name}' has duplicate subcommands: {string.Join(", ", duplicates)}");
            foreach (var sub in command.Subcommands) Check(sub);
        }
        Check(Program.BuildRoot());
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryCommandParsesHelp(string path)
    {
        var parse = Program.BuildRoot().Parse(path.Split(' ').Append("--help").ToArray());
        Assert.Empty(parse.Errors);
    }

    [Fact]
    public void TopLevelCommandsAreTheOnesTheReadmeNames()
    {
        var names = Program.BuildRoot().Subcommands.Select(c => c.Name).ToHashSet();
        foreach (var expected in new[] { "data", "prepare", "train", "upscale", "colorize", "defade", "evaluate", "experiment", "kernel", "notebook", "quickstart", "tensorboard-summary" })
            Assert.Contains(expected, names);
        Assert.Equal(new[] { "colorize", "defade", "sr" }, Program.BuildRoot().Subcommands.Single(c => c.Name == "train").Subcommands.Select(c => c.Name).Order());
    }
}
