from benchmarks import arena, core

core.main()
print()
arena.main()
