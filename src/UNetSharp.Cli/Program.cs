using TorchSharp;
var t = torch.ones(2, 2);
Console.WriteLine(t.sum().item<float>());
Console.WriteLine(torch.get_num_threads());
