using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Tests.Packages;

public class RestoreProjectTests
{
    [Fact]
    public void TheProjectReferencesEachPackageForThisRuntime()
    {
        var project = new RestoreProject("/tmp/unused", "linux-x64").ProjectText(
            new[] { new PackageRequest("A", "1.0"), new PackageRequest("B&C", null) }, new[] { "/feeds/local" });
        Assert.Contains("<RuntimeIdentifier>linux-x64</RuntimeIdentifier>", project, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"A\" Version=\"1.0\" />", project, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"B&amp;C\" Version=\"*\" />", project, StringComparison.Ordinal);
        Assert.Contains("<RestoreAdditionalProjectSources>/feeds/local</RestoreAdditionalProjectSources>", project, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreErrorsLoseTheProjectPath()
    {
        var output = "  Determining projects to restore...\n/c/restore.csproj : error NU1101: Unable to find package Nope. No packages exist with this id in source(s): nuget.org [/c/restore.csproj]\n";
        Assert.Equal("error NU1101: Unable to find package Nope. No packages exist with this id in source(s): nuget.org", Assert.Single(RestoreProject.RestoreErrors(output)));
    }

    [Fact]
    public void AssetsGiveRuntimeAssembliesAndNativeLibrariesWithoutPlaceholders()
    {
        var dir = Directory.CreateTempSubdirectory("wb-assets").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "pkgs", "a", "1.0.0"));
        var assets = Path.Combine(dir, "project.assets.json");
        File.WriteAllText(assets, $$"""
            {
              "targets": {
                "net10.0": {},
                "net10.0/linux-x64": {
                  "A/1.0.0": { "type": "package", "runtime": { "lib/net8.0/A.dll": {}, "lib/net8.0/A.xml": {} }, "native": { "runtimes/linux-x64/native/liba.so": {} } },
                  "B/2.0.0": { "type": "package", "runtime": { "lib/net10.0/_._": {} } },
                  "Proj/1.0.0": { "type": "project" }
                }
              },
              "libraries": { "A/1.0.0": { "path": "a/1.0.0" }, "B/2.0.0": { "path": "b/2.0.0" } },
              "packageFolders": { "{{dir}}/pkgs/": {} }
            }
            """);
        var packages = AssetsFile.Read(assets, "net10.0", "linux-x64");
        Assert.Equal(new[] { "A", "B" }, packages.Select(p => p.Name));
        Assert.Equal(Path.Combine(dir, "pkgs", "a", "1.0.0", "lib", "net8.0", "A.dll"), Assert.Single(packages[0].Assemblies));
        Assert.EndsWith("runtimes/linux-x64/native/liba.so", Assert.Single(packages[0].NativeLibraries), StringComparison.Ordinal);
        Assert.Empty(packages[1].Assemblies);
    }

    [Fact]
    public void NativeLibrariesAreFoundByTheNamesDllImportUses()
    {
        var map = new NativeLibraryMap();
        map.Add("/p/runtimes/linux-x64/native/libfoo.so");
        foreach (var name in new[] { "foo", "libfoo", "libfoo.so" }) Assert.Equal("/p/runtimes/linux-x64/native/libfoo.so", map.Find(name));
        Assert.Null(map.Find("bar"));
    }
}
