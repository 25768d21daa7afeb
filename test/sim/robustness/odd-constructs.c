int W1(int a) { switch (a) case 1: return 2; return 3; }
int W2(int a) { goto inner; while (a) { inner: a--; } return a; }
int W3(int a) { int x = ((((((((((a)))))))))) + a * (a ? a : -a) / 0; return x % 0; }
void W4(PMDL m) { for (;;) { if (m->Next) break; m = m->Next; } MmUnlockPages(m); }
void W5(void) { int arr[3] = {1,2,3}; arr[5] = arr[-1]; (void)sizeof(arr); }
void W6(PMDL *mdls, int n) { for (int i = 0; i < n; i++) { MmUnlockPages(mdls[i]); } }
void W7(void) { __try { __leave; } __finally { } __try { } __except(1) { } }
void W8(PIRP Irp) { IoCompleteRequest(Irp, 0); IoCompleteRequest(Irp, 0); }
void W9(int a) { do { if (a) continue; else break; } while (a--); }
void W10(void (*f)(void)) { f(); (*f)(); }
void W11(PDEVICE_OBJECT d) { PCTX c = (PCTX)d->DeviceExtension; c->Mdl = IoAllocateMdl(0, 1, 0, 0, 0); if (c->Mdl) MmProbeAndLockPages(c->Mdl, KernelMode, 0); }
#define X(a) a
void W12(int a) { X(a); label: ; if (a--) goto label; }
void W13(int a) {
#ifdef FOO
  if (a) {
#else
  if (!a) {
#endif
    a++;
  }
}
