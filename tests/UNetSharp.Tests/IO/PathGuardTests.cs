using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

/// <summary>Real-path resolution and the output guards built on it (issue 15, defect 1).</summary>
public sealed class PathGuardTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void RealPathFollowsLinksThenAppliesDotDotAsTheKernelDoes()
    {
        string deep = Directory.CreateDirectory(dir.File("a/b/c")).FullName;
        Directory.CreateDirectory(dir.File("x"));
        File.CreateSymbolicLink(dir.File("x/link"), deep);                 // x/link → a/b/c
        File.CreateSymbolicLink(dir.File("rel"), "a/b");                    // relative target
        string real = PathGuard.RealPath(dir.Path);

        Assert.Equal(Path.Combine(real, "a", "b", "c"), PathGuard.RealPath(dir.File("x/link")));
        // lexically x/link/.. would be x; through the link it is a/b
        Assert.Equal(Path.Combine(real, "a", "b"), PathGuard.RealPath(dir.File("x/link/..")));
        Assert.Equal(Path.Combine(real, "a", "b", "c"), PathGuard.RealPath(dir.File("rel/c/")));
        Assert.Equal(Path.Combine(real, "a", "b", "new", "file"), PathGuard.RealPath(dir.File("rel/./new//file")));   // not yet existing part kept
    }

    [Fact]
    public void ALinkLoopIsAConfigurationErrorNotAHang()
    {
        File.CreateSymbolicLink(dir.File("p"), dir.File("q"));
        File.CreateSymbolicLink(dir.File("q"), dir.File("p"));
        Assert.Contains("too many levels of symbolic links", Assert.Throws<ConfigurationException>(() => PathGuard.RealPath(dir.File("p/x"))).Message);
    }

    [Fact]
    public void OverlapIsRefusedWhenTheOutputIsTheInputInsideItOrAroundIt()
    {
        string input = Directory.CreateDirectory(dir.File("data/in")).FullName;
        File.CreateSymbolicLink(dir.File("link"), input);
        Assert.Contains("is the same folder", Refuse(dir.File("link"), input));
        Assert.Contains("is the same folder", Refuse(dir.File("data/in/../in/"), dir.File("link")));
        Assert.Contains("lies inside", Refuse(dir.File("link/masks"), input));
        Assert.Contains("contains", Refuse(dir.File("data"), dir.File("link")));
        PathGuard.RefuseOverlap(dir.File("elsewhere"), "output folder", dir.File("link"), "input folder"); // a sibling is fine
        PathGuard.RefuseOverlap(dir.File("data/inside"), "output folder", input, "input folder");         // 'in' is not a prefix of 'inside'
    }

    static string Refuse(string output, string input) =>
        Assert.Throws<ConfigurationException>(() => PathGuard.RefuseOverlap(output, "output folder", input, "input folder")).Message;

    [Fact]
    public void AnOutputFolderThatIsAFileOrUnderAFileIsRefused()
    {
        File.WriteAllText(dir.File("best.ckpt"), "precious");
        Assert.Contains("is an existing file", Assert.Throws<ConfigurationException>(() => PathGuard.RequireFolderOrAbsent(dir.File("best.ckpt"), "output folder")).Message);
        Assert.Contains("is a file", Assert.Throws<ConfigurationException>(() => PathGuard.RequireFolderOrAbsent(dir.File("best.ckpt/sub"), "output folder")).Message);
        Assert.Contains("is empty", Assert.Throws<ConfigurationException>(() => PathGuard.RequireFolderOrAbsent("", "output folder")).Message);
        Assert.Equal("precious", File.ReadAllText(dir.File("best.ckpt")));
    }

    [Fact]
    public void CollisionsNameBothInputs()
    {
        var outputs = new List<(string, IReadOnlyList<string>)>
        {
            (dir.File("in/a.png"), [dir.File("out/a.png"), dir.File("out/a_prob1.png")]),
            (dir.File("in/a_prob1.png"), [dir.File("out/a_prob1.png")]),
        };
        var e = Assert.Throws<ConfigurationException>(() => PathGuard.RefuseCollisions(outputs));
        Assert.Contains("a.png and ", e.Message);
        Assert.Contains("a_prob1.png would both write", e.Message);
        string longName = new string('é', 130) + ".png"; // 264 bytes in UTF-8
        Assert.Contains("longer than 255 bytes", Assert.Throws<ConfigurationException>(() =>
            PathGuard.RefuseCollisions([(dir.File("in/" + longName), [dir.File("out/" + longName)])])).Message);
    }
}
