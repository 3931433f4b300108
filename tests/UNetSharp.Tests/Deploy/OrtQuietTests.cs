using UNetSharp.Tests.Evaluation;
using System.Reflection;
using Google.Protobuf;
using UNetSharp.Onnx;
using UNetSharp.Prediction;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Deploy;

/// <summary>
/// ONNX Runtime's own log lines ("2026-… [W:onnxruntime:, graph.cc:…] …") never reach our stderr: a model that makes
/// ORT warn still predicts with an error-free, log-free stderr, as the CLI runs in a child process (ORT writes to the
/// process's stderr directly, past any TextWriter).
/// </summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class OrtQuietTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-ort-quiet-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    [Fact]
    public void AModelThatMakesOrtWarnPredictsWithoutOrtLinesOnStderr()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        string onnx = Dir("model.onnx");
        using (var model = PredictionModel.Load(run, foldBatchNorm: false))
            OnnxExporter.Export(model.Network, 2, onnx, new OnnxExportOptions { Plan = model.Plan });
        // an initializer no node uses: ORT warns "Removing initializer 'unused_weight'. It is not used by any node..."
        // (at its default level, WARNING) and runs the model unchanged
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        proto.Graph.Initializer.Add(new global::Onnx.TensorProto { Name = "unused_weight", DataType = (int)global::Onnx.TensorProto.Types.DataType.Float, Dims = { 2 }, FloatData = { 1f, 2f } });
        File.WriteAllBytes(onnx, proto.ToByteArray());

        var result = CliProcess.RunAsLog(root, "predict", "--model", onnx, "--input", input, "--out", Dir("out"), "--threads", "1");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(Path.Combine(Dir("out"), "a.png")), result.Stdout);
        Assert.DoesNotContain("onnxruntime", result.Stderr);
        Assert.DoesNotContain("unused_weight", result.Stderr);
    }

    /// <summary>No session escapes the quiet options: every SessionOptions the product creates is created by
    /// OrtSessions, and every InferenceSession it opens is given options (read from the IL, lambdas included).</summary>
    [Fact]
    public void EverySessionOfTheProductGetsItsOptionsFromOrtSessions()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var makers = new List<string>();
        var bare = new List<string>();
        foreach (var type in UNetSharp.Tests.Build.ProductAssemblies.All.SelectMany(a => a.GetTypes()))
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
                foreach (var called in UNetSharp.Tests.Build.NamespaceDependencies.BodyMembers(method).OfType<ConstructorInfo>())
                {
                    string where = $"{type.FullName}.{method.Name}";
                    if (called.DeclaringType == typeof(Microsoft.ML.OnnxRuntime.SessionOptions)) makers.Add(where);
                    if (called.DeclaringType == typeof(Microsoft.ML.OnnxRuntime.InferenceSession)
                        && !called.GetParameters().Any(p => p.ParameterType == typeof(Microsoft.ML.OnnxRuntime.SessionOptions))) bare.Add(where);
                }
        Assert.Equal(["UNetSharp.Onnx.OrtSessions.Options"], makers.Distinct());
        Assert.Empty(bare);
    }
}
