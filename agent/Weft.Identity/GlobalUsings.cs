global using System.Security.Cryptography;
