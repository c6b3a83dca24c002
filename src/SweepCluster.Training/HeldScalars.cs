using TorchSharp;

namespace SweepCluster.Training;

/// <summary>
/// Numbers for tensor operations, as Scalars that live as long as the process. TorchSharp hands libtorch a
/// Scalar's raw handle and keeps nothing alive during the call, so a Scalar it makes on the fly (for a
/// number passed as an argument, or for a default alpha of 1) can be freed by the finalizer while libtorch
/// reads it: after hours of training that ends a trial with "Expected false to be true" from
/// c10::Scalar::toFloat. Every number passed to a tensor operation is therefore one of these, a
/// <c>using</c> local, or a field of an object that outlives the call.
/// </summary>
internal static class HeldScalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar MinusOne = (-1).ToScalar();
}
