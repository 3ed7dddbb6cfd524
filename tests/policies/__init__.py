"""Tests of the CrossGuard policy pack (T2): small programs run through the harness."""
