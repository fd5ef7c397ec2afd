from benchmarks.core import main

main()
