import { TemplateList } from './TemplateList.tsx';

export function App() {
  // Absent in browser mode, where the page is served without the Electron preload.
  const version = window.netforge?.version;

  return (
    <main className="intro" data-testid="intro">
      <h1>Netforge</h1>
      <p>
        Design convolutional networks on a canvas, train them on MNIST or CIFAR-10 and export the
        result. Start from a classic architecture — LeNet-5, VGG, ResNet, DenseNet, an
        Inception-style net — or build your own from layers and blocks, and see every layer&apos;s
        output shape and parameter count as you edit.
      </p>
      <TemplateList />
      {version && (
        <p className="version" data-testid="app-version">
          Version {version}
        </p>
      )}
    </main>
  );
}
