using UNetSharp.IO;
using UNetSharp.Inference;

namespace UNetSharp.Prediction;

/// <summary>
/// Models averaged in one ensemble may differ in architecture, widths and depth, but their probabilities must mean the
/// same thing for the same voxel: same dimensions, input channels and classes, the same class values, and the same
/// pre-processing (normalisation, target spacing, colour handling) and task.
/// </summary>
public static class EnsembleAgreement
{
    /// <summary>Refuses <paramref name="other"/> when it disagrees with <paramref name="first"/>, naming both files and the difference.</summary>
    public static void Check(PredictionModel first, PredictionModel other)
    {
        var a = first.Config;
        var b = other.Config;
        Require(a.Dimensions == b.Dimensions, "dimensions", $"{a.Dimensions}D", $"{b.Dimensions}D");
        Require(a.InChannels == b.InChannels, "input channels", a.InChannels, b.InChannels);
        Require(a.Classes == b.Classes, "output classes", a.Classes, b.Classes);
        Same("class values", first.Plan.ClassValues, other.Plan.ClassValues);
        Same("normalisation", first.Plan.Normalization, other.Plan.Normalization);
        Same("target spacing", first.Plan.TargetSpacing, other.Plan.TargetSpacing);
        Same("layout (colour handling)", first.Plan.Layout, other.Plan.Layout);
        Same("task (instances)", first.Plan.Instances, other.Plan.Instances);
        Same("slice axis", first.Plan.SliceAxis, other.Plan.SliceAxis);

        void Same<T>(string what, T x, T y)
        {
            string jx = System.Text.Json.JsonSerializer.Serialize(x, ProjectJson.Compact), jy = System.Text.Json.JsonSerializer.Serialize(y, ProjectJson.Compact);
            Require(jx == jy, what, jx, jy);
        }

        void Require(bool agree, string what, object x, object y)
        {
            if (!agree)
                throw new ConfigurationException($"models of an ensemble must agree on classes, channels and pre-processing: {what} is {x} in {first.WeightsPath} but {y} in {other.WeightsPath}");
        }
    }
}
