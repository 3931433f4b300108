using UNetSharp.Cli;

// Before any tensor work: keeps libtorch off convolution kernels that are wrong on this processor (see the type).
UNetSharp.NativeKernelGuard.Apply();
return CliApp.Run(args, Console.Out, Console.Error);
