{
  "targets": [
    {
      "target_name": "not_onednn",
      "sources": ["src/addon.cc", "src/batch-norm.cc", "src/conv.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-fopenmp"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
