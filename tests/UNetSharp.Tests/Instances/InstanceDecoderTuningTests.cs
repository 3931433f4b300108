using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Pipeline;

namespace UNetSharp.Tests.Instances;

public class InstanceDecoderTuningTests
{
    /// <summary>
    /// Two touching discs as a timid network would see them: interior probability .45 inside each disc's interior, .05 on
    /// its border, background probability .3 on the discs. The default marker threshold (.5) finds no marker, so watershed
    /// falls back to the one foreground component; a threshold below .45 gives one marker per disc.
    /// </summary>
    static TuningCase TimidTouchingDiscs()
    {
        int[] shape = [24, 32];
        var map = new int[24 * 32];
        InstanceShapes.Ball(map, shape, [12, 10], 7, 1);
        InstanceShapes.Ball(map, shape, [12, 22], 7, 2);
        var target = InstanceTargets.ThreeClass(map, shape);
        int n = map.Length;
        var p = new float[3 * n];
        for (int v = 0; v < n; v++)
        {
            float interior = target[v] == InstanceTargets.Interior ? .45f : target[v] == InstanceTargets.Border ? .05f : 0f;
            float background = map[v] == 0 ? 1f : .3f;
            p[v] = background;
            p[n + v] = interior;
            p[2 * n + v] = 1f - background - interior;
        }
        return new TuningCase(p, shape, map);
    }

    [Fact]
    public void Tuning_finds_a_marker_threshold_that_separates_what_the_default_merges()
    {
        var cases = new[] { TimidTouchingDiscs() };
        var defaults = new InstanceDecodingOptions { MinMarkerSize = 1 };
        Assert.Equal(1, InstanceDecoder.FromProbabilities(cases[0].Probabilities, cases[0].Shape, defaults).Count);

        var (best, score) = InstanceDecoderTuning.Tune(cases, InstanceDecoderKind.Watershed, defaults);
        Assert.True(best.MarkerThreshold < 0.45, $"marker threshold {best.MarkerThreshold}");
        Assert.Equal(InstanceDecoderKind.Watershed, best.Method);
        Assert.Equal(2, InstanceDecoder.FromProbabilities(cases[0].Probabilities, cases[0].Shape, best).Count);
        Assert.Equal(InstanceDecoderTuning.Score(cases, best), score);
        Assert.True(score > InstanceDecoderTuning.Score(cases, defaults) + 0.3, $"tuned {score}");
    }

    [Fact]
    public void Components_cannot_split_the_touching_discs_whatever_their_settings()
    {
        var cases = new[] { TimidTouchingDiscs() };
        var (best, score) = InstanceDecoderTuning.Tune(cases, InstanceDecoderKind.ConnectedComponents, new InstanceDecodingOptions());
        Assert.Equal(InstanceDecoderKind.ConnectedComponents, best.Method);
        Assert.Equal(1, InstanceDecoder.FromProbabilities(cases[0].Probabilities, cases[0].Shape, best).Count);
        Assert.True(score < 0.1, $"score {score}"); // one merged object covers each disc by IoU ≤ .5 at best
    }

    [Fact]
    public void Tuned_settings_are_read_back_per_depth_and_method_from_instances_json()
    {
        string dir = Directory.CreateTempSubdirectory("unetsharp-tuned-").FullName;
        try
        {
            Assert.Null(InstanceDecodingTuned.Load(dir, 1, InstanceDecoderKind.Watershed));
            var scores = new InstanceScores(0.5, 0.6, 0.4, 0.7, 0.6, 0.5, 2, 3);
            var watershed = new InstanceDecodingOptions { ForegroundThreshold = 0.4, MarkerThreshold = 0.7, MinSize = 20, Surface = WatershedSurface.Distance };
            var components = new InstanceDecodingOptions { Method = InstanceDecoderKind.ConnectedComponents, ForegroundThreshold = 0.6, MinSize = 5 };
            var report = new InstanceValidationReport(2, new InstanceDecodingOptions(), ["t1"], ["v1"],
            [
                new InstanceDepthResult(1, scores, scores, scores, new InstanceDecodingOptions(), components, 0.1, 0.01, 0.01),
                new InstanceDepthResult(2, scores, scores, scores, watershed, components with { MinSize = 7 }, 0.1, 0.01, 0.01),
            ]);
            File.WriteAllText(Path.Combine(dir, InstanceValidationReport.FileName), ProjectJson.Serialize(report));

            Assert.Equal(watershed, InstanceDecodingTuned.Load(dir, 2, InstanceDecoderKind.Watershed));
            Assert.Equal(components with { MinSize = 7 }, InstanceDecodingTuned.Load(dir, 2, InstanceDecoderKind.ConnectedComponents));
            Assert.Equal(components, InstanceDecodingTuned.Load(dir, 1, InstanceDecoderKind.ConnectedComponents));
            Assert.Null(InstanceDecodingTuned.Load(dir, 3, InstanceDecoderKind.Watershed));

            File.WriteAllText(Path.Combine(dir, InstanceValidationReport.FileName), "{\"depths\": [{\"depth\": 1, \"watershed_decoding\": {\"marker_threshold\": 2}}]}");
            var e = Assert.Throws<DataFormatException>(() => InstanceDecodingTuned.Load(dir, 1, InstanceDecoderKind.Watershed));
            Assert.Equal(Path.Combine(dir, InstanceValidationReport.FileName), e.Path);
            Assert.Contains("marker threshold", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
